using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace EventDeblur.Deconvolution;

/// <summary>
/// The pointwise steps of <see cref="RobustDeconvolver"/>'s ADMM on an h×w circular grid, vectorised with
/// <see cref="Vector{T}"/> (the wrap-around column is done scalar). The state is kept in the form the x-step reads:
/// rz = μ(z − d1), q = u − d2, g = γ(v − d3), so each iteration makes two passes over the planes.
/// </summary>
internal static class AdmmPointwise
{
    /// <summary>rq = β·Dᵀq + g with Dᵀp[n] = p[n−1] − p[n] per axis (circular).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void XStepRhs(float[] qx, float[] qy, float[] g, float[] rq, int h, int w, float beta)
    {
        ref float rQx = ref MemoryMarshal.GetArrayDataReference(qx);
        ref float rQy = ref MemoryMarshal.GetArrayDataReference(qy);
        ref float rG = ref MemoryMarshal.GetArrayDataReference(g);
        ref float rRq = ref MemoryMarshal.GetArrayDataReference(rq);
        int vc = Vector<float>.Count;
        var vb = new Vector<float>(beta);
        for (int y = 0; y < h; y++)
        {
            int row = y * w, up = (y == 0 ? h - 1 : y - 1) * w;
            // Column 0: its left neighbour wraps to the row's last column.
            {
                int i = row;
                float px = qx[row + w - 1] - qx[i], py = qy[up] - qy[i];
                rq[i] = beta * (px + py) + g[i];
            }
            int xx = 1;
            for (; xx + vc <= w; xx += vc)
            {
                nuint i = (nuint)(row + xx);
                var px = Vector.LoadUnsafe(ref rQx, i - 1) - Vector.LoadUnsafe(ref rQx, i);
                var py = Vector.LoadUnsafe(ref rQy, (nuint)(up + xx)) - Vector.LoadUnsafe(ref rQy, i);
                (vb * (px + py) + Vector.LoadUnsafe(ref rG, i)).StoreUnsafe(ref rRq, i);
            }
            for (; xx < w; xx++)
            {
                int i = row + xx;
                float px = qx[i - 1] - qx[i], py = qy[up + xx] - qy[i];
                rq[i] = beta * (px + py) + g[i];
            }
        }
    }

    /// <summary>
    /// z-step with t = h + d1, h = α·K⊛x + (1 − α)·z (over-relaxation; α = 1: plain ADMM, z recovered from rz and d1):
    /// z = (ω·b + μt)/(ω + μ) on pixels with data, max(t, satLow) on clipped ones; d1 ← t − z; writes rz = μ(z − d1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ZStep(float[] kx, float[] d1, float[] ob, float[] invW, float[] satMask, float mu, float satLow, float[] rz, float alpha = 1)
    {
        float beta1 = 1 - alpha, invMu = 1 / mu;
        var va = new Vector<float>(alpha);
        var vb1 = new Vector<float>(beta1);
        var vInvMu = new Vector<float>(invMu);
        int n = kx.Length, vc = Vector<float>.Count, i = 0;
        ref float rKx = ref MemoryMarshal.GetArrayDataReference(kx);
        ref float rD1 = ref MemoryMarshal.GetArrayDataReference(d1);
        ref float rOb = ref MemoryMarshal.GetArrayDataReference(ob);
        ref float rInv = ref MemoryMarshal.GetArrayDataReference(invW);
        ref float rSat = ref MemoryMarshal.GetArrayDataReference(satMask);
        ref float rRz = ref MemoryMarshal.GetArrayDataReference(rz);
        var vmu = new Vector<float>(mu);
        var vlow = new Vector<float>(satLow);
        var half = new Vector<float>(0.5f);
        for (; i + vc <= n; i += vc)
        {
            nuint k = (nuint)i;
            var d1o = Vector.LoadUnsafe(ref rD1, k);
            var zOld = Vector.LoadUnsafe(ref rRz, k) * vInvMu + d1o;
            var t = va * Vector.LoadUnsafe(ref rKx, k) + vb1 * zOld + d1o;
            var zu = (Vector.LoadUnsafe(ref rOb, k) + vmu * t) * Vector.LoadUnsafe(ref rInv, k);
            var zs = Vector.Max(t, vlow);
            var z = Vector.ConditionalSelect(Vector.GreaterThan(Vector.LoadUnsafe(ref rSat, k), half), zs, zu);
            var d = t - z;
            d.StoreUnsafe(ref rD1, k);
            (vmu * (z - d)).StoreUnsafe(ref rRz, k);
        }
        for (; i < n; i++)
        {
            float zOld = rz[i] * invMu + d1[i];
            float t = alpha * kx[i] + beta1 * zOld + d1[i];
            float z = satMask[i] > 0.5f ? Math.Max(t, satLow) : (ob[i] + mu * t) * invW[i];
            float d = t - z;
            d1[i] = d;
            rz[i] = mu * (z - d);
        }
    }

    /// <summary>
    /// u-step (isotropic shrinkage of h + d2 with threshold prior/β, h = α∇x + (1 − α)u; writes d2 and q = u − d2) and
    /// v-step (projection of α·x + (1 − α)v + d3 on v ≥ floor; writes d3 and g = γ(v − d3)), with forward differences on
    /// the circular grid; α = 1 is plain ADMM.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UvStep(float[] x, float[] d2x, float[] d2y, float[] qx, float[] qy, float[] d3, float[] g, float[] prior, float[] floor, int h, int w, float beta, float gamma, float alpha = 1)
    {
        float a1 = 1 - alpha, invGamma = 1 / gamma;
        var va = new Vector<float>(alpha);
        var va1 = new Vector<float>(a1);
        var vInvGamma = new Vector<float>(invGamma);
        ref float rX = ref MemoryMarshal.GetArrayDataReference(x);
        ref float rD2x = ref MemoryMarshal.GetArrayDataReference(d2x);
        ref float rD2y = ref MemoryMarshal.GetArrayDataReference(d2y);
        ref float rQx = ref MemoryMarshal.GetArrayDataReference(qx);
        ref float rQy = ref MemoryMarshal.GetArrayDataReference(qy);
        ref float rD3 = ref MemoryMarshal.GetArrayDataReference(d3);
        ref float rG = ref MemoryMarshal.GetArrayDataReference(g);
        ref float rP = ref MemoryMarshal.GetArrayDataReference(prior);
        ref float rF = ref MemoryMarshal.GetArrayDataReference(floor);
        int vc = Vector<float>.Count;
        float invBeta = 1 / beta;
        var vInvBeta = new Vector<float>(invBeta);
        var vGamma = new Vector<float>(gamma);
        var one = Vector<float>.One;
        for (int y = 0; y < h; y++)
        {
            int row = y * w, down = (y == h - 1 ? 0 : y + 1) * w;
            int xx = 0;
            for (; xx + vc < w; xx += vc)
            {
                nuint i = (nuint)(row + xx);
                var xi = Vector.LoadUnsafe(ref rX, i);
                var d2xo = Vector.LoadUnsafe(ref rD2x, i);
                var d2yo = Vector.LoadUnsafe(ref rD2y, i);
                var tx = va * (Vector.LoadUnsafe(ref rX, i + 1) - xi) + va1 * (Vector.LoadUnsafe(ref rQx, i) + d2xo) + d2xo;
                var ty = va * (Vector.LoadUnsafe(ref rX, (nuint)(down + xx)) - xi) + va1 * (Vector.LoadUnsafe(ref rQy, i) + d2yo) + d2yo;
                var mag = Vector.SquareRoot(tx * tx + ty * ty);
                var thr = Vector.LoadUnsafe(ref rP, i) * vInvBeta;
                var s = Vector.ConditionalSelect(Vector.GreaterThan(mag, thr), one - thr / mag, Vector<float>.Zero);
                // u = s·t, d2 = t − u, q = u − d2 = (2s − 1)·t.
                var keep = one - s;
                (tx * keep).StoreUnsafe(ref rD2x, i);
                (ty * keep).StoreUnsafe(ref rD2y, i);
                var q = s + s - one;
                (tx * q).StoreUnsafe(ref rQx, i);
                (ty * q).StoreUnsafe(ref rQy, i);
                var d3o = Vector.LoadUnsafe(ref rD3, i);
                var tv = va * xi + va1 * (Vector.LoadUnsafe(ref rG, i) * vInvGamma + d3o) + d3o;
                var vi = Vector.Max(tv, Vector.LoadUnsafe(ref rF, i));
                var d = tv - vi;
                d.StoreUnsafe(ref rD3, i);
                (vGamma * (vi - d)).StoreUnsafe(ref rG, i);
            }
            for (; xx < w; xx++)
            {
                int i = row + xx;
                float gx = x[xx == w - 1 ? row : i + 1] - x[i], gy = x[down + xx] - x[i];
                float tx = alpha * gx + a1 * (qx[i] + d2x[i]) + d2x[i], ty = alpha * gy + a1 * (qy[i] + d2y[i]) + d2y[i];
                float mag = MathF.Sqrt(tx * tx + ty * ty);
                float thr = prior[i] * invBeta;
                float s = mag > thr ? 1 - thr / mag : 0;
                d2x[i] = tx * (1 - s);
                d2y[i] = ty * (1 - s);
                qx[i] = tx * (2 * s - 1);
                qy[i] = ty * (2 * s - 1);
                float tv = alpha * x[i] + a1 * (g[i] * invGamma + d3[i]) + d3[i];
                float vi = Math.Max(tv, floor[i]);
                float d = tv - vi;
                d3[i] = d;
                g[i] = gamma * (vi - d);
            }
        }
    }
}
