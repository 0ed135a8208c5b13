using EventDeblur.Deconvolution;
using OpenCvSharp;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>The vectorised products of packed spectra give exactly what OpenCV's MulSpectrums (and Add) give.</summary>
public class PackedSpectrumTests
{
    private static Mat Spectrum(int h, int w, Random rng)
    {
        // A real plane with values over several decades, transformed: a genuine packed (CCS) spectrum.
        var m = new Mat(h, w, MatType.CV_32FC1);
        var s = m.AsSpan<float>();
        for (int i = 0; i < s.Length; i++) s[i] = (float)((rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-3, 3)));
        var spec = new Mat();
        Cv2.Dft(m, spec);
        m.Dispose();
        return spec;
    }

    [Theory]
    [InlineData(6, 8, false)]
    [InlineData(7, 8, false)]
    [InlineData(7, 8, true)]
    [InlineData(2, 2, true)]
    [InlineData(1, 8, false)]
    [InlineData(1, 8, true)]
    [InlineData(2, 4, false)]
    [InlineData(3, 4, false)]
    [InlineData(97, 130, false)]
    [InlineData(96, 130, true)]
    [InlineData(577, 720, true)]
    public void ProductsAreBitIdenticalToOpenCv(int h, int w, bool conj)
    {
        var rng = new Random(h * 1000 + w);
        using var a = Spectrum(h, w, rng);
        using var b = Spectrum(h, w, rng);
        using var expected = new Mat();
        Cv2.MulSpectrums(a, b, expected, DftFlags.None, conj);
        using var actual = new Mat(h, w, MatType.CV_32FC1, Scalar.All(float.NaN));
        PackedSpectrum.Multiply(a, b, actual, conj);
        Assert.Equal(expected.AsSpan<float>().ToArray(), actual.AsSpan<float>().ToArray());
        // In place, as the deconvolver uses it: the result over the first factor, over the second, and a square.
        using var inPlace = a.Clone();
        PackedSpectrum.Multiply(inPlace, b, inPlace, conj);
        Assert.Equal(expected.AsSpan<float>().ToArray(), inPlace.AsSpan<float>().ToArray());
        using var overB = b.Clone();
        PackedSpectrum.Multiply(a, overB, overB, conj);
        Assert.Equal(expected.AsSpan<float>().ToArray(), overB.AsSpan<float>().ToArray());
        using var square = new Mat();
        Cv2.MulSpectrums(a, a, square, DftFlags.None, conj);
        using var self = a.Clone();
        PackedSpectrum.Multiply(self, self, self, conj);
        Assert.Equal(square.AsSpan<float>().ToArray(), self.AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData(7, 8)]
    [InlineData(6, 10)]
    [InlineData(577, 720)]
    public void TheFusedProductSumIsBitIdenticalToOpenCvsThreeCalls(int h, int w)
    {
        var rng = new Random(h + 7 * w);
        using var a = Spectrum(h, w, rng);
        using var b = Spectrum(h, w, rng);
        using var c = Spectrum(h, w, rng);
        using var d = Spectrum(h, w, rng);
        using var ab = new Mat();
        using var cd = new Mat();
        Cv2.MulSpectrums(a, b, ab, DftFlags.None);
        Cv2.MulSpectrums(c, d, cd, DftFlags.None);
        using var expected = new Mat();
        Cv2.Add(ab, cd, expected);
        using var actual = new Mat(h, w, MatType.CV_32FC1, Scalar.All(float.NaN));
        PackedSpectrum.MultiplyAdd(a, b, c, d, actual);
        Assert.Equal(expected.AsSpan<float>().ToArray(), actual.AsSpan<float>().ToArray());
        // The sum written over one of its inputs.
        using var overC = c.Clone();
        PackedSpectrum.MultiplyAdd(a, b, overC, d, overC);
        Assert.Equal(expected.AsSpan<float>().ToArray(), overC.AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData(6, 7, false)]
    [InlineData(5, 9, true)]
    public void OddWidthsFallBackToOpenCvInPlace(int h, int w, bool conj)
    {
        var rng = new Random(h * w);
        using var a = Spectrum(h, w, rng);
        using var b = Spectrum(h, w, rng);
        using var expected = new Mat();
        Cv2.MulSpectrums(a, b, expected, DftFlags.None, conj);
        PackedSpectrum.MultiplyInPlace(a, b, conj);
        Assert.Equal(expected.AsSpan<float>().ToArray(), a.AsSpan<float>().ToArray());
    }

    [Fact]
    public void OddWidthsAndForeignTypesAreRefused()
    {
        using var odd = new Mat(4, 5, MatType.CV_32FC1, Scalar.All(0));
        Assert.Throws<ArgumentException>(() => PackedSpectrum.Multiply(odd, odd, odd));
        using var twoChannel = new Mat(4, 4, MatType.CV_32FC2, Scalar.All(0));
        Assert.Throws<ArgumentException>(() => PackedSpectrum.Multiply(twoChannel, twoChannel, twoChannel));
    }
}
