using System.Threading.Channels;

namespace EventDeblur.Pipeline;

/// <summary>One stage of the frame pipeline over bounded channels (back-pressure: a full channel makes the stage wait).</summary>
public static class StageRunner
{
    /// <summary>
    /// Runs <paramref name="work"/> on every frame of <paramref name="input"/> with <paramref name="workers"/> workers and
    /// passes each frame on to <paramref name="output"/> (completed when the input is). A frame that already failed, or has
    /// no image, is passed on untouched; an exception of the work fails that frame (its <see cref="FrameWork.Error"/>), not the run.
    /// </summary>
    public static Task Run(ChannelReader<FrameWork> input, ChannelWriter<FrameWork> output, int workers, Action<FrameWork> work, CancellationToken ct)
    {
        var tasks = Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Run(async () =>
        {
            await foreach (var f in input.ReadAllAsync(ct))
            {
                if (f.Error == null && f.Blurry != null)
                {
                    try { work(f); }
                    // Once cancelled, whatever the work threw (a deconvolver stopping mid-way, wrapped or not) abandons the
                    // frame and stops the stage; before that, an exception fails the frame only.
                    catch (Exception e) when (e is not OperationCanceledException && !ct.IsCancellationRequested)
                    {
                        // A file the frame needs that is malformed or unreadable (e.g. a ground-truth kernel CSV with a NaN
                        // weight), or data that cannot be right (a blur path hundreds of pixels long from a wrong calibration),
                        // is a data problem whose message says what was expected; any other exception keeps its type name,
                        // which helps find a bug.
                        f.Error = e is FormatException or IOException or InvalidDataException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                    }
                }
                await output.WriteAsync(f, ct);
            }
        }, ct)).ToArray();
        return Task.WhenAll(tasks).ContinueWith(t =>
        {
            output.TryComplete(t.Exception?.GetBaseException());
            return t;
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
    }
}
