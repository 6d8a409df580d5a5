using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Media.Tests.Jitter;

/// <summary>
/// Drives a <see cref="JitterBuffer"/> tick by tick on a fake clock: each tick delivers the listed packets
/// (RTP timestamp = sequence × 960 at 48 kHz, i.e. 20 ms apart), pops one frame, then advances 20 ms.
/// Output is recorded as "B" (buffering), "D7" (packet 7 decoded), "F7" (packet 7 rebuilt by FEC) or "C".
/// </summary>
internal sealed class JitterScript : IDisposable
{
    private readonly short[] _frame;

    public JitterScript(AudioCodec codec = AudioCodec.Opus, JitterBufferOptions? options = null)
    {
        Decoder = new MarkerDecoder(codec);
        Buffer = new JitterBuffer(Decoder, Time, options);
        _frame = new short[Buffer.FrameSamples];
    }

    public FakeTimeProvider Time { get; } = new();

    public MarkerDecoder Decoder { get; }

    public JitterBuffer Buffer { get; }

    public List<string> Output { get; } = [];

    public List<JitterPushResult> PushResults { get; } = [];

    public void Tick(params int[] arrivals)
    {
        foreach (var seq in arrivals)
        {
            PushResults.Add(Buffer.Push((ushort)seq, (uint)(seq * 960), MarkerDecoder.Packet((ushort)seq)));
        }

        var kind = Buffer.Pop(_frame);
        Output.Add(kind switch
        {
            JitterFrameKind.Buffering => "B",
            JitterFrameKind.Decoded => $"D{(ushort)_frame[0]}",
            JitterFrameKind.FecRecovered => $"F{(ushort)_frame[0]}",
            _ => "C",
        });
        Time.Advance(TimeSpan.FromMilliseconds(20));
    }

    public string Render() => string.Join(' ', Output);

    public void Dispose() => Buffer.Dispose();
}
