namespace EventDeblur.Pipeline.Output;

/// <summary>How a run takes its output folder (<see cref="RunFolder.Claim"/>).</summary>
public enum RunFolderUse
{
    /// <summary>Start afresh: the folder must be empty or hold an earlier run of the same kind, whose outputs are removed first.</summary>
    Fresh,

    /// <summary>Continue an earlier run of the same input, method and options: its completed frames are kept.</summary>
    Resume,

    /// <summary>Write into the folder whatever it holds: files named like a run's outputs are removed first, nothing else.</summary>
    Force,
}
