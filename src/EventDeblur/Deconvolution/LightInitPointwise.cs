using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EventDeblur.Deconvolution;

/// <summary>
/// The per-pixel steps of <see cref="RobustDeconvolver"/>'s Richardson–Lucy start on clipped lights, on
/// <see cref="Vector{T}"/> lanes: every element gets the very operations of the scalar loops (no fused multiply-adds, no
/// reordering), so the results are bit-identical to them; the rare pixels near saturation, which need the smooth-clip
/// model's exponential and logarithm, are done one by one.
/// </summary>
internal static class LightInitPointwise
{
    /// <summary>pred = max(x + α·(x − prev), eps); prev = x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Predict(float[] x, float[] prev, float[] pred, float alpha, float eps)
    {
        int n = x.Length, vc = Vector<float>.Count, i = 0;
        ref float rx = ref MemoryMarshal.GetArrayDataReference(x);
        ref float rPrev = ref MemoryMarshal.GetArrayDataReference(prev);
        ref float rPred = ref MemoryMarshal.GetArrayDataReference(pred);
        var va = new Vector<float>(alpha);
        var veps = new Vector<float>(eps);
        for (; i <= n - vc; i += vc)
        {
            var xv = Vector.LoadUnsafe(ref rx, (nuint)i);
            Vector.Max(xv + va * (xv - Vector.LoadUnsafe(ref rPrev, (nuint)i)), veps).StoreUnsafe(ref rPred, (nuint)i);
            xv.StoreUnsafe(ref rPrev, (nuint)i);
        }
        for (; i < n; i++)
        {
            pred[i] = Math.Max(x[i] + alpha * (x[i] - prev[i]), eps);
            prev[i] = x[i];
        }
    }

    /// <summary>
    /// The correction ratio b / R(K⊛x) of the smooth-clip forward model R(z) = z − log(1 + e^{a(z−s)})/a (Whyte et al.
    /// 2014), times R'(z), plus 1 − R'(z); 1 where a pixel carries no data (ω = 0 and unclipped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Ratio(float[] b, float[] y, float[] omega, bool[] isSat, float[] ratio, float a, float sat, float eps)
    {
        int n = b.Length, vc = Vector<float>.Count, i = 0;
        ref float rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref float ry = ref MemoryMarshal.GetArrayDataReference(y);
        ref float rOmega = ref MemoryMarshal.GetArrayDataReference(omega);
        ref float rRatio = ref MemoryMarshal.GetArrayDataReference(ratio);
        var veps = new Vector<float>(eps);
        // arg = a·(y − s) < −20 for every lane: the plain ratio b / y applies (the exact scalar test, per lane).
        var va = new Vector<float>(a);
        var vs = new Vector<float>(sat);
        var vlim = new Vector<float>(-20f);
        var one = Vector<float>.One;
        for (; i <= n - vc; i += vc)
        {
            var yi = Vector.Max(Vector.LoadUnsafe(ref ry, (nuint)i), veps);
            var arg = va * (yi - vs);
            if (!Vector.LessThanAll(arg, vlim) || AnySaturated(isSat, i, vc))
            {
                for (int k = i; k < i + vc; k++) ratio[k] = One(b[k], y[k], omega[k], isSat[k], a, sat, eps);
                continue;
            }
            var bi = Vector.Max(Vector.LoadUnsafe(ref rb, (nuint)i), veps);
            var noData = Vector.LessThanOrEqual(Vector.LoadUnsafe(ref rOmega, (nuint)i), Vector<float>.Zero);
            Vector.ConditionalSelect(noData, one, bi / yi).StoreUnsafe(ref rRatio, (nuint)i);
        }
        for (; i < n; i++) ratio[i] = One(b[i], y[i], omega[i], isSat[i], a, sat, eps);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AnySaturated(bool[] isSat, int i, int count)
    {
        // bool is one byte (0 or 1): eight flags at a time.
        ref byte r = ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetArrayDataReference(isSat));
        int k = 0;
        for (; k <= count - 8; k += 8)
            if (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref r, i + k)) != 0) return true;
        for (; k < count; k++)
            if (isSat[i + k]) return true;
        return false;
    }

    private static float One(float b, float y, float omega, bool isSat, float a, float sat, float eps)
    {
        if (omega <= 0 && !isSat) return 1;
        float yi = Math.Max(y, eps), bi = Math.Max(b, eps);
        float arg = a * (yi - sat);
        if (arg < -20f) return bi / yi;
        // R(z) = z − log(1 + e^{a(z−s)})/a ≈ min(z, s); R'(z) = 1 / (1 + e^{a(z−s)}).
        float e = MathF.Exp(Math.Min(arg, 60f));
        float r = yi - MathF.Log(1 + e) / a;
        float dr = 1 / (1 + e);
        return bi * dr / Math.Max(r, eps) + 1 - dr;
    }

    /// <summary>
    /// Σ g1·g2 and Σ g2², accumulated in double per lane (the extrapolation's step length; the order of the additions
    /// differs from a scalar loop's only in the last bits of the double sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Num, double Den) Dots(float[] g1, float[] g2)
    {
        if (g2.Length != g1.Length) throw new ArgumentException($"the changes have {g1.Length} and {g2.Length} values");
        int n = g1.Length, vc = Vector<float>.Count, i = 0;
        ref float r1 = ref MemoryMarshal.GetArrayDataReference(g1);
        ref float r2 = ref MemoryMarshal.GetArrayDataReference(g2);
        var num0 = Vector<double>.Zero;
        var num1 = Vector<double>.Zero;
        var den0 = Vector<double>.Zero;
        var den1 = Vector<double>.Zero;
        for (; i <= n - vc; i += vc)
        {
            var a = Vector.LoadUnsafe(ref r1, (nuint)i);
            var c = Vector.LoadUnsafe(ref r2, (nuint)i);
            // Each product in float, as the scalar loop forms it, then widened and summed in double.
            Vector.Widen(a * c, out Vector<double> p0, out Vector<double> p1);
            Vector.Widen(c * c, out Vector<double> q0, out Vector<double> q1);
            num0 += p0; num1 += p1; den0 += q0; den1 += q1;
        }
        double num = Vector.Sum(num0) + Vector.Sum(num1), den = Vector.Sum(den0) + Vector.Sum(den1);
        for (; i < n; i++) { num += g1[i] * g2[i]; den += g2[i] * g2[i]; }
        return (num, den);
    }

    /// <summary>x = max(pred·y, 0); g2 = g1; g1 = x − pred (the last two changes, for the next extrapolation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update(float[] pred, float[] y, float[] x, float[] g1, float[] g2)
    {
        int n = x.Length, vc = Vector<float>.Count, i = 0;
        ref float rPred = ref MemoryMarshal.GetArrayDataReference(pred);
        ref float ry = ref MemoryMarshal.GetArrayDataReference(y);
        ref float rx = ref MemoryMarshal.GetArrayDataReference(x);
        ref float rg1 = ref MemoryMarshal.GetArrayDataReference(g1);
        ref float rg2 = ref MemoryMarshal.GetArrayDataReference(g2);
        for (; i <= n - vc; i += vc)
        {
            var p = Vector.LoadUnsafe(ref rPred, (nuint)i);
            var xi = Vector.Max(p * Vector.LoadUnsafe(ref ry, (nuint)i), Vector<float>.Zero);
            Vector.LoadUnsafe(ref rg1, (nuint)i).StoreUnsafe(ref rg2, (nuint)i);
            (xi - p).StoreUnsafe(ref rg1, (nuint)i);
            xi.StoreUnsafe(ref rx, (nuint)i);
        }
        for (; i < n; i++)
        {
            float xi = Math.Max(pred[i] * y[i], 0);
            g2[i] = g1[i];
            g1[i] = xi - pred[i];
            x[i] = xi;
        }
    }
}
