using System.Diagnostics.Tracing;

namespace ClutchCall.Voice.Internal;

/// <summary>
/// The SDK's diagnostics, without a logging dependency: enable the <c>ClutchCall-Voice</c> event source
/// (<c>dotnet-trace</c>, an <see cref="EventListener"/>) at <see cref="EventLevel.Verbose"/> to see debug events.
/// </summary>
[EventSource(Name = "ClutchCall-Voice")]
internal sealed class VoiceEventSource : EventSource
{
    public static readonly VoiceEventSource Log = new();

    private VoiceEventSource()
    {
    }

    /// <summary>A relay URL was skipped because System.Net.Quic is not supported here (libmsquic missing).</summary>
    [Event(1, Level = EventLevel.Verbose, Message = "QUIC is not supported on this machine (libmsquic missing); skipping relay URL {0}")]
    public void QuicUnsupportedSkipped(string url)
    {
        if (IsEnabled(EventLevel.Verbose, EventKeywords.All))
        {
            WriteEvent(1, url);
        }
    }

    /// <summary>A relay URL had a scheme the SDK does not dial.</summary>
    [Event(2, Level = EventLevel.Verbose, Message = "Skipping relay URL {0}: unsupported scheme")]
    public void UnsupportedSchemeSkipped(string url)
    {
        if (IsEnabled(EventLevel.Verbose, EventKeywords.All))
        {
            WriteEvent(2, url);
        }
    }
}
