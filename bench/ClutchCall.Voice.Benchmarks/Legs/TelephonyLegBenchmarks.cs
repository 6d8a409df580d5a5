using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Benchmarks.Legs;

/// <summary>
/// The whole telephony leg for one 20 ms frame. Inbound: 160 bytes of G.711 µ-law → PCM 8 kHz → 48 kHz →
/// Opus (24 kbps, complexity 5). Outbound: Opus → PCM 48 kHz → 8 kHz → G.711 µ-law. Budget: well under
/// 1 ms (5 % of the frame).
/// </summary>
[MemoryDiagnoser]
public class TelephonyLegBenchmarks
{
    private readonly byte[] _g711 = new byte[160];
    private readonly short[] _pcm8 = new short[160];
    private readonly short[] _pcm48 = new short[960];
    private readonly byte[] _opus = new byte[1500];
    private IAudioDecoder _g711Decoder = null!;
    private IAudioEncoder _g711Encoder = null!;
    private IAudioEncoder _opusEncoder = null!;
    private IAudioDecoder _opusDecoder = null!;
    private Resampler _up = null!;
    private Resampler _down = null!;
    private byte[] _opusPacket = null!;

    [GlobalSetup]
    public void Setup()
    {
        _g711Decoder = AudioCodecFactory.CreateDecoder(AudioCodec.G711Ulaw, AudioFormat.Telephony);
        _g711Encoder = AudioCodecFactory.CreateEncoder(AudioCodec.G711Ulaw, AudioFormat.Telephony);
        _opusEncoder = AudioCodecFactory.CreateEncoder(AudioCodec.Opus, AudioFormat.Opus48Mono, opus: new OpusEncoderOptions { BitrateBps = 24000, Complexity = 5 });
        _opusDecoder = AudioCodecFactory.CreateDecoder(AudioCodec.Opus, AudioFormat.Opus48Mono);
        _up = new Resampler(8000, 48000);
        _down = new Resampler(48000, 8000);

        // A speech-like G.711 frame and a matching Opus packet.
        var tone = Dsp.ResamplerBenchmarks.Signal(160, 8000);
        G711.EncodeMuLaw(tone, _g711);
        var tone48 = Dsp.ResamplerBenchmarks.Signal(960, 48000);
        var n = _opusEncoder.Encode(tone48, _opus);
        _opusPacket = _opus[..n];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _g711Decoder.Dispose();
        _g711Encoder.Dispose();
        _opusEncoder.Dispose();
        _opusDecoder.Dispose();
    }

    [Benchmark]
    public int G711ToOpus()
    {
        _g711Decoder.Decode(_g711, _pcm8);
        _up.Process(_pcm8, _pcm48);
        return _opusEncoder.Encode(_pcm48, _opus);
    }

    [Benchmark]
    public int OpusToG711()
    {
        _opusDecoder.Decode(_opusPacket, _pcm48);
        _down.Process(_pcm48, _pcm8);
        return _g711Encoder.Encode(_pcm8, _g711);
    }
}
