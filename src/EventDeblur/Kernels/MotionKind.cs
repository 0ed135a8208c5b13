namespace EventDeblur.Kernels;

/// <summary>How much of the camera motion a model describes.</summary>
public enum MotionKind
{
    /// <summary>The whole frame moves alike (one kernel).</summary>
    Translation,

    /// <summary>In-plane rotation plus translation.</summary>
    Rigid,

    /// <summary>A general affine motion (rotation, zoom, shear and the first-order effect of yaw and pitch).</summary>
    Affine,
}
