using EventDeblur.Events;

namespace EventDeblur.Kernels;

/// <summary>
/// An event filter (dv-processing style: one small protocol, filters compose by chaining): from the candidate
/// events of a slice it keeps those it accepts, in their order.
/// </summary>
public interface IEventFilter
{
    /// <summary>The accepted subset of <paramref name="candidates"/> (indices into <paramref name="events"/>), in order.</summary>
    List<int> Filter(EventSlice events, IReadOnlyList<int> candidates);
}
