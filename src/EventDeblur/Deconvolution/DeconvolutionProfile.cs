using System.Globalization;
using System.Text;
using EventDeblur.IO;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Per-step time accounting of a deconvolver (thread-safe: channels run in parallel add to the same profile).
/// Each step accumulates the CPU time of the thread that ran it (Linux: <c>CLOCK_THREAD_CPUTIME_ID</c>, so other
/// processes' load does not count; elsewhere the elapsed wall time), in seconds, and a call count; with channels
/// running on several threads the sum over steps can exceed the wall time of the whole frame.
/// </summary>
public sealed class DeconvolutionProfile
{
    private readonly Dictionary<string, (double Seconds, long Calls)> _steps = new();
    private readonly List<string> _order = [];

    /// <summary>Adds <paramref name="seconds"/> (≥ 0) to step <paramref name="step"/>.</summary>
    public void Add(string step, double seconds)
    {
        lock (_steps)
        {
            if (!_steps.TryGetValue(step, out var s)) { s = (0, 0); _order.Add(step); }
            _steps[step] = (s.Seconds + seconds, s.Calls + 1);
        }
    }

    /// <summary>Starts timing <paramref name="step"/>; the step's time is added when the returned scope is disposed.</summary>
    public Scope Time(string step) => new(this, step);

    /// <summary>The steps in first-seen order with their total seconds and call counts.</summary>
    public IReadOnlyList<(string Step, double Seconds, long Calls)> Steps
    {
        get { lock (_steps) return _order.Select(o => (o, _steps[o].Seconds, _steps[o].Calls)).ToList(); }
    }

    /// <summary>Forgets every step.</summary>
    public void Clear()
    {
        lock (_steps) { _steps.Clear(); _order.Clear(); }
    }

    /// <summary>One line per step: seconds, share of the total, calls.</summary>
    public override string ToString()
    {
        var steps = Steps;
        double total = steps.Sum(s => s.Seconds);
        var sb = new StringBuilder();
        foreach (var (step, sec, calls) in steps)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {step,-28} {sec * 1e3,9:F1} ms {100 * sec / Math.Max(total, 1e-12),5:F1} %  {calls,6} calls"));
        return sb.ToString();
    }

    /// <summary>A timing scope of one step (a no-op when created without a profile).</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly DeconvolutionProfile? _profile;
        private readonly string _step;
        private readonly long _start;

        internal Scope(DeconvolutionProfile? profile, string step)
        {
            _profile = profile;
            _step = step;
            _start = profile == null ? 0 : ThreadCpuClock.Now();
        }

        /// <summary>Adds the elapsed time to the profile.</summary>
        public void Dispose() => _profile?.Add(_step, ThreadCpuClock.ToSeconds(ThreadCpuClock.Now() - _start));
    }
}
