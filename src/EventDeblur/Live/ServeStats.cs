namespace EventDeblur.Live;

/// <summary>What a stream server sent.</summary>
/// <param name="Events">Events sent (to every connected client).</param>
/// <param name="Triggers">Trigger events sent.</param>
/// <param name="Clients">Client connections accepted over the run.</param>
/// <param name="Problems">
/// What the reader of the recording found: damaged packets it skipped (their events were not sent), a cut file, a time
/// going back. The clients cannot be told (a DV stream has no way to say it), so the server's user is.
/// </param>
public sealed record ServeStats(long Events, long Triggers, int Clients, IReadOnlyList<EventDeblur.IO.Problem> Problems);
