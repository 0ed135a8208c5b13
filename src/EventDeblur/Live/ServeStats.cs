namespace EventDeblur.Live;

/// <summary>What a stream server sent.</summary>
/// <param name="Events">Events sent (to every connected client).</param>
/// <param name="Triggers">Trigger events sent.</param>
/// <param name="Clients">Client connections accepted over the run.</param>
public sealed record ServeStats(long Events, long Triggers, int Clients);
