using System.Diagnostics;
using ClutchCall.Voice.Sip.Media;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// Sends PCM on a call one 20 ms frame per absolute deadline (start + n × 20 ms) from a dedicated thread, the way the
/// agent's media clock paces its playout. A thread-pool timer in the test stalled under CI load while the agent's
/// clock kept playing out, so the echo came back with gaps that were the test's, not the call's.
/// </summary>
internal static class ClockPacedSpeech
{
    /// <summary>Sends all of <paramref name="speech"/> (whole frames) and completes after the last frame went out.</summary>
    public static Task SendAsync(ISipCallMedia media, short[] speech, CancellationToken ct, int frameSamples = 320)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var clock = Stopwatch.StartNew();
                var frame = 0;
                for (var offset = 0; offset + frameSamples <= speech.Length; offset += frameSamples, frame++)
                {
                    var wait = (frame * 20) - clock.ElapsedMilliseconds;
                    if (wait > 0)
                    {
                        Thread.Sleep((int)wait);
                    }

                    ct.ThrowIfCancellationRequested();
                    media.SendPcm(speech.AsSpan(offset, frameSamples));
                }

                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = "test-speech-sender" };
        thread.Start();
        return done.Task;
    }
}
