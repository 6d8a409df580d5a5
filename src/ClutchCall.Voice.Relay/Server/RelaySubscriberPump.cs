using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Relay.Fanout;

namespace ClutchCall.Voice.Relay.Server;

/// <summary>
/// One subscriber's sender: a single long-running loop that drains the subscriber's queue into its track
/// writer (one data stream per group). Waiting and writing allocate nothing per object; a slow subscriber
/// only slows this loop while its queue sheds stale objects.
/// </summary>
internal sealed class RelaySubscriberPump
{
    private readonly MoqtSession _session;

    public RelaySubscriberPump(MoqtSession session, RelayTrack track, SubscriberQueue queue, MoqtTrackWriter writer)
    {
        _session = session;
        Track = track;
        Queue = queue;
        Writer = writer;
    }

    public RelayTrack Track { get; }

    public SubscriberQueue Queue { get; }

    public MoqtTrackWriter Writer { get; }

    /// <summary>Objects written to the subscriber.</summary>
    public long Sent { get; private set; }

    /// <summary>Completes when the pump has stopped.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    private async Task RunAsync()
    {
        try
        {
            while (await Queue.WaitAsync().ConfigureAwait(false))
            {
                while (Queue.TryDequeue(out var obj))
                {
                    bool open;
                    try
                    {
                        open = await Writer.WriteObjectAsync(obj.Location, obj.Extensions, obj.Payload, obj.PublisherPriority).ConfigureAwait(false);
                    }
                    finally
                    {
                        obj.Release();
                    }

                    if (!open)
                    {
                        Track.Detach(Queue, TrackEndReason.SessionClosed);
                        return;
                    }

                    Sent++;
                }
            }

            // draft-ietf-moq-transport-14 §9.12: tell the subscriber why its flow ended.
            var code = Queue.EndReason switch
            {
                TrackEndReason.TrackEnded => MoqtPublishDoneCode.TrackEnded,
                TrackEndReason.GoingAway => MoqtPublishDoneCode.GoingAway,
                _ => (MoqtPublishDoneCode?)null,
            };
            if (code is { } c)
            {
                await _session.EndPublicationAsync(Writer, c, c == MoqtPublishDoneCode.TrackEnded ? "publisher ended the track" : "relay going away").ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The subscriber's session is gone or failing; its own loops report that. Nothing here may escape.
            Track.Detach(Queue, TrackEndReason.SessionClosed);
        }
    }
}
