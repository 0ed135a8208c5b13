using EventDeblur.IO;
namespace EventDeblur.Formats.Aedat;

/// <summary>Collects problems with a cap per kind, so a badly broken file cannot exhaust memory.</summary>
internal sealed class ProblemLog
{
    private readonly string _path;
    private readonly int _maxPerKind;
    private readonly List<Problem> _problems = [];
    private readonly Dictionary<string, int> _counts = [];

    public ProblemLog(string path, int maxPerKind)
    {
        _path = path;
        _maxPerKind = maxPerKind;
    }

    public IReadOnlyList<Problem> Items
    {
        get
        {
            var list = new List<Problem>(_problems);
            foreach (var (kind, n) in _counts)
            {
                if (n > _maxPerKind)
                    list.Add(new Problem(_path, -1, ProblemSeverity.Error, $"{n - _maxPerKind} more problems of kind '{kind}' not listed"));
            }
            return list;
        }
    }

    public bool HasErrors => _problems.Any(p => p.Severity == ProblemSeverity.Error);

    /// <summary>Called with every error's byte offset, listed or only counted (e.g. to find where errors crowd).</summary>
    public Action<long>? ErrorObserver { get; init; }

    public void Error(string kind, long offset, string message)
    {
        ErrorObserver?.Invoke(offset);
        Add(kind, offset, ProblemSeverity.Error, message);
    }

    public void Note(string kind, long offset, string message) => Add(kind, offset, ProblemSeverity.Note, message);

    private void Add(string kind, long offset, ProblemSeverity severity, string message)
    {
        _counts.TryGetValue(kind, out int n);
        _counts[kind] = n + 1;
        if (n < _maxPerKind) _problems.Add(new Problem(_path, offset, severity, message));
    }

    public AedatFormatException Fatal(long offset, string message) =>
        new(new Problem(_path, offset, ProblemSeverity.Error, message));
}
