namespace EventDeblur.IO;

/// <summary>
/// Adds one table's problems to a list up to <see cref="MaxListed"/> of them and counts the rest, which
/// <see cref="Finish"/> names in one line: a table of 600 000 rows naming a missing frame each took 3.4 GB to inspect
/// (7 GB with --json). The event files' readers cap their problems per kind the same way.
/// </summary>
/// <param name="target">The list the problems go to.</param>
/// <param name="source">The table the problems are about (named by the closing line).</param>
public sealed class CappedProblems(List<Problem> target, string source)
{
    /// <summary>Problems listed per table (200); the rest are counted.</summary>
    public const int MaxListed = 200;

    private int _listed;
    private long _more, _moreErrors;

    /// <summary>Adds <paramref name="problem"/>, or counts it once <see cref="MaxListed"/> are listed.</summary>
    public void Add(Problem problem)
    {
        if (_listed < MaxListed) { target.Add(problem); _listed++; return; }
        _more++;
        if (problem.Severity == ProblemSeverity.Error) _moreErrors++;
    }

    /// <summary>Adds the line counting the problems not listed (an error when any of them is one), if there were any.</summary>
    public void Finish()
    {
        if (_more == 0) return;
        string text = $"{_more:N0} more problem(s) of this table not listed ({_moreErrors:N0} of them errors; the first {MaxListed} are)";
        target.Add(_moreErrors > 0 ? Problem.Error(source, ProblemLocation.None, text) : Problem.Note(source, ProblemLocation.None, text));
    }
}
