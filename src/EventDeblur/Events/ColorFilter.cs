namespace EventDeblur.Events;

/// <summary>
/// The colour filter over a DAVIS APS frame's pixels, as AEDAT 3.1 frame events state it (libcaer's
/// <c>caer_frame_event_color_filter</c>, bits 4–7 of the info word). The letters read the 2×2 block clockwise from
/// the sensor's top-left pixel: <see cref="Rgbg"/> is R G on the first row and G B on the second (RGGB), <see cref="Grgb"/>
/// G R / B G, <see cref="Gbgr"/> G B / R G, <see cref="Bgrg"/> B G / G R; the W variants have a white (unfiltered) pixel in
/// place of one green. A one-channel frame under any filter but <see cref="Mono"/> is a raw mosaic, not a grey image.
/// </summary>
public enum ColorFilter
{
    /// <summary>No filter: a grey frame (or a frame whose channels are colours already).</summary>
    Mono = 0,

    /// <summary>Bayer RGGB (R at the sensor's (0, 0)).</summary>
    Rgbg = 1,

    /// <summary>Bayer GRBG.</summary>
    Grgb = 2,

    /// <summary>Bayer GBRG.</summary>
    Gbgr = 3,

    /// <summary>Bayer BGGR.</summary>
    Bgrg = 4,

    /// <summary>RGBW: R G / W B.</summary>
    Rgbw = 5,

    /// <summary>GRWB.</summary>
    Grwb = 6,

    /// <summary>WBGR.</summary>
    Wbgr = 7,

    /// <summary>BWRG.</summary>
    Bwrg = 8,

    /// <summary>A colour mosaic whose layout the file does not state (a jAER recording of a colour DAVIS).</summary>
    UnknownMosaic = 255,
}
