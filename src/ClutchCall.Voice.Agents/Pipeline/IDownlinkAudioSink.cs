namespace ClutchCall.Voice.Agents.Pipeline;

/// <summary>Receives the agent's audio for one call: exactly one 20 ms PCM16 frame per media-clock tick while audio is queued.</summary>
internal interface IDownlinkAudioSink
{
    /// <summary>Called on the clock thread; <paramref name="pcm"/> is valid only during the call.</summary>
    void OnFrame(ReadOnlySpan<short> pcm, long tickIndex);
}
