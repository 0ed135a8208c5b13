using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Per-element products of real DFT spectra in OpenCV's packed (CCS) layout, bit-identical to
/// <see cref="Cv2.MulSpectrums"/> (each complex product formed in double from the float inputs, then rounded to float)
/// but on AVX vector lanes: OpenCV's loop is scalar, and in <see cref="RobustDeconvolver"/> its products took a third as
/// long as the transforms around them. Layout of an h×w packed spectrum with w even: in each row, columns 1..w−2 hold
/// the complex pairs (re, im) of frequencies 1..w/2−1; columns 0 and w−1 hold the column-packed spectra of frequency 0
/// and w/2 (row 0 real; rows 2k−1, 2k a complex pair; the last row real when h is even).
/// </summary>
internal static class PackedSpectrum
{
    /// <summary><paramref name="dst"/> = <paramref name="a"/> · <paramref name="b"/> (or · conj(b)); all continuous h×w CV_32FC1 packed spectra, w even; dst may be a or b.</summary>
    public static void Multiply(Mat a, Mat b, Mat dst, bool conjB = false)
    {
        int h = a.Rows, w = a.Cols;
        Check(a, h, w); Check(b, h, w); Check(dst, h, w);
        Multiply(a.AsSpan<float>(), b.AsSpan<float>(), dst.AsSpan<float>(), h, w, conjB);
    }

    /// <summary>
    /// <paramref name="spec"/> ·= <paramref name="k"/> (or its conjugate) for packed spectra of any width: on vector lanes
    /// when the rows are even, else through <see cref="Cv2.MulSpectrums"/>. Same result either way.
    /// </summary>
    public static void MultiplyInPlace(Mat spec, Mat k, bool conjB = false)
    {
        if (spec.Cols % 2 == 0 && spec.Type() == MatType.CV_32FC1 && spec.IsContinuous() && spec.Rows >= 1
            && k.Type() == MatType.CV_32FC1 && k.IsContinuous() && k.Rows == spec.Rows && k.Cols == spec.Cols) Multiply(spec, k, spec, conjB);
        else Cv2.MulSpectrums(spec, k, spec, DftFlags.None, conjB);
    }

    /// <summary>
    /// <paramref name="dst"/> = <paramref name="a"/> · <paramref name="b"/> + <paramref name="c"/> · <paramref name="d"/>:
    /// both products rounded to float as <see cref="Cv2.MulSpectrums"/> rounds them, then added in float as
    /// <see cref="Cv2.Add(InputArray, InputArray, OutputArray, InputArray?, int)"/> adds them — row by row, instead of three passes over the whole planes.
    /// </summary>
    public static void MultiplyAdd(Mat a, Mat b, Mat c, Mat d, Mat dst)
    {
        int h = a.Rows, w = a.Cols;
        Check(a, h, w); Check(b, h, w); Check(c, h, w); Check(d, h, w); Check(dst, h, w);
        MultiplyAdd(a.AsSpan<float>(), b.AsSpan<float>(), c.AsSpan<float>(), d.AsSpan<float>(), dst.AsSpan<float>(), h, w);
    }

    private static void Check(Mat m, int h, int w)
    {
        if (m.Type() != MatType.CV_32FC1 || m.Rows != h || m.Cols != w || !m.IsContinuous())
            throw new ArgumentException($"packed spectra must be continuous {w}×{h} CV_32FC1 planes, got {m.Cols}×{m.Rows} {m.Type()}{(m.IsContinuous() ? "" : ", not continuous")}");
        if (w % 2 != 0 || w < 2 || h < 1) throw new ArgumentException($"packed spectrum of {w}×{h}: the width must be even and ≥ 2, the height ≥ 1");
    }

    /// <summary>The span form of <see cref="Multiply(Mat, Mat, Mat, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst, int h, int w, bool conjB)
    {
        // Columns 0 and w − 1 (column-packed) through small copies, so dst may alias a or b.
        Span<float> buffer = h <= 1024 ? stackalloc float[3 * h] : new float[3 * h];
        Span<float> ca = buffer.Slice(0, h), cb = buffer.Slice(h, h), cp = buffer.Slice(2 * h, h);
        foreach (int x in (ReadOnlySpan<int>)[0, w - 1])
        {
            for (int y = 0; y < h; y++) { ca[y] = a[y * w + x]; cb[y] = b[y * w + x]; }
            ColumnProduct(ca, cb, cp, conjB);
            for (int y = 0; y < h; y++) dst[y * w + x] = cp[y];
        }
        for (int y = 0; y < h; y++)
        {
            int row = y * w;
            RowPairs(a.Slice(row + 1, w - 2), b.Slice(row + 1, w - 2), dst.Slice(row + 1, w - 2), conjB);
        }
    }

    /// <summary>The span form of <see cref="MultiplyAdd(Mat, Mat, Mat, Mat, Mat)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d, Span<float> dst, int h, int w)
    {
        // Column-packed frequencies 0 and w/2: through small copies (dst may alias an input), each product then the sum.
        Span<float> col = h <= 512 ? stackalloc float[6 * h] : new float[6 * h];
        Span<float> ca = col.Slice(0, h), cb = col.Slice(h, h), cc = col.Slice(2 * h, h), cd = col.Slice(3 * h, h), p = col.Slice(4 * h, h), q = col.Slice(5 * h, h);
        foreach (int x in (ReadOnlySpan<int>)[0, w - 1])
        {
            for (int y = 0; y < h; y++) { ca[y] = a[y * w + x]; cb[y] = b[y * w + x]; cc[y] = c[y * w + x]; cd[y] = d[y * w + x]; }
            ColumnProduct(ca, cb, p, false);
            ColumnProduct(cc, cd, q, false);
            for (int y = 0; y < h; y++) dst[y * w + x] = p[y] + q[y];
        }
        Span<float> scratch = w <= 4096 ? stackalloc float[w - 2] : new float[w - 2];
        for (int y = 0; y < h; y++)
        {
            int row = y * w + 1;
            var target = dst.Slice(row, w - 2);
            RowPairs(c.Slice(row, w - 2), d.Slice(row, w - 2), scratch, false);
            RowPairs(a.Slice(row, w - 2), b.Slice(row, w - 2), target, false);
            for (int i = 0; i < target.Length; i++) target[i] += scratch[i];
        }
    }

    /// <summary>One column-packed spectrum times another, as OpenCV forms it.</summary>
    private static void ColumnProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst, bool conjB)
    {
        int h = a.Length;
        dst[0] = a[0] * b[0];
        if (h % 2 == 0) dst[h - 1] = a[h - 1] * b[h - 1];
        // Rows 1 … h − 2 (h even) or h − 1 (h odd) are complex pairs, as in a row's interior.
        int pairs = h % 2 == 0 ? Math.Max(0, h - 2) : h - 1;
        RowPairs(a.Slice(1, pairs), b.Slice(1, pairs), dst.Slice(1, pairs), conjB);
    }

    /// <summary>Interleaved complex pairs: dst = a · b (or · conj(b)), each product in double, rounded to float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPairs(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst, bool conjB)
    {
        int n = a.Length, i = 0;
        if (Avx.IsSupported)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float rd = ref MemoryMarshal.GetReference(dst);
            for (; i <= n - 4; i += 4)
            {
                // Two complex numbers per step: [ar0, ai0, ar1, ai1] and [br0, bi0, br1, bi1] widened to double.
                var va = Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref ra, (nuint)i));
                var vb = Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref rb, (nuint)i));
                var aRe = Avx.Permute(va, 0b0000);          // [ar0, ar0, ar1, ar1]
                var aIm = Avx.Permute(va, 0b1111);          // [ai0, ai0, ai1, ai1]
                var bSwap = Avx.Permute(vb, 0b0101);        // [bi0, br0, bi1, br1]
                Vector256<double> r;
                if (!conjB)
                {
                    // [ar·br − ai·bi, ar·bi + ai·br]: each product exact in double, one rounding per sum as in OpenCV.
                    r = Avx.AddSubtract(Avx.Multiply(aRe, vb), Avx.Multiply(aIm, bSwap));
                }
                else
                {
                    // a · conj(b) = [ar·br + ai·bi, ai·br − ar·bi].
                    var p = Avx.Multiply(aRe, vb);           // [ar·br, ar·bi]
                    var q = Avx.Multiply(aIm, bSwap);        // [ai·bi, ai·br]
                    // re = p0 + q0 (the sum's even lanes), im = q1 − p1 (the difference's odd lanes).
                    var sum = Avx.Add(p, q);
                    var diff = Avx.Subtract(q, p);
                    r = Avx.Blend(sum, diff, 0b1010);
                }
                Avx.ConvertToVector128Single(r).StoreUnsafe(ref rd, (nuint)i);
            }
        }
        for (; i < n; i += 2)
        {
            double re, im;
            if (!conjB)
            {
                re = (double)a[i] * b[i] - (double)a[i + 1] * b[i + 1];
                im = (double)a[i + 1] * b[i] + (double)a[i] * b[i + 1];
            }
            else
            {
                re = (double)a[i] * b[i] + (double)a[i + 1] * b[i + 1];
                im = (double)a[i + 1] * b[i] - (double)a[i] * b[i + 1];
            }
            dst[i] = (float)re;
            dst[i + 1] = (float)im;
        }
    }
}
