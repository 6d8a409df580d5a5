using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

/// <summary>
/// Opus round trips on real speech at 24 kbps, complexity 5, VoIP, 20 ms frames. The decoded signal is
/// aligned for the codec delay found by cross-correlation (it must equal the encoder look-ahead: 6.5 ms,
/// e.g. 104 samples at 16 kHz) and compared with the input. Opus is a perceptual codec, so waveform SNR
/// is modest; the bounds sit about 2.5 dB under what was measured with libopus 1.3.1 (Debian 12):
/// jfk.wav 14.9 dB SNR / 9.9 dB segmental; librivox-0870.wav 5.3 / 3.3; espeak-ng via sox at 8 kHz 11.9 / 9.4,
/// 16 kHz 11.9 / 9.2, 24 kHz 10.3 / 7.4, 48 kHz 10.7 / 7.7; 48 kHz stereo likewise per channel.
/// A misaligned or broken decode measures around 0 dB or below.
/// </summary>
public sealed class OpusRoundTripTests
{
    private const string Sentence = "Ask not what your country can do for you, ask what you can do for your country.";

    [Theory]
    [InlineData("jfk.wav", 12.0, 7.5)]
    [InlineData("librivox-0870.wav", 3.0, 1.0)]
    public void RoundTrip_SharedSpeech16k_AlignedSnrAboveBound(string file, double minSnr, double minSegSnr)
    {
        var audio = SpeechSamples.Shared(file);
        AssertRoundTrip(file, audio, minSnr, minSegSnr);
    }

    [Theory]
    [InlineData(8000, 9.5, 7.0)]
    [InlineData(16000, 9.5, 6.5)]
    [InlineData(24000, 8.0, 5.0)]
    [InlineData(48000, 8.0, 5.0)]
    public void RoundTrip_EspeakResampledBySox_AlignedSnrAboveBound(int rate, double minSnr, double minSegSnr)
    {
        var audio = SpeechSamples.Espeak(Sentence, rate);
        Assert.Equal(new AudioFormat(rate, 1), audio.Format);
        AssertRoundTrip($"espeak-ng@{rate}", audio, minSnr, minSegSnr);
    }

    [Fact]
    public void RoundTrip_Stereo48k_BothChannelsAlignedSnrAboveBound()
    {
        var mono = SpeechSamples.Espeak(Sentence, 48000);
        var format = new AudioFormat(48000, 2);
        var stereo = new short[mono.Samples.Length * 2];
        for (var i = 0; i < mono.Samples.Length; i++)
        {
            stereo[2 * i] = mono.Samples[i];
            stereo[(2 * i) + 1] = (short)(mono.Samples[i] / 2);
        }

        var decoded = OpusCodecHarness.RoundTrip(format, stereo, new OpusEncoderOptions { BitrateBps = 48000 });
        for (var channel = 0; channel < 2; channel++)
        {
            var original = Channel(stereo, channel);
            var output = Channel(decoded, channel);
            var lag = SignalMetrics.FindLag(original, output, 960);
            var snr = SignalMetrics.Snr(original, output, lag);
            TestContext.Current.TestOutputHelper?.WriteLine($"stereo ch{channel}: lag {lag}, SNR {snr:F2} dB");
            Assert.InRange(lag, 308, 316);
            Assert.True(snr > 8.0, $"channel {channel}: SNR {snr:F2} dB");
        }
    }

    [Fact]
    public void RoundTrip_ComplexityTenAndAudioApplication_AlsoDecodeCleanly()
    {
        var audio = SpeechSamples.Espeak(Sentence, 16000);
        foreach (var options in new[]
        {
            new OpusEncoderOptions { Complexity = 10 },
            new OpusEncoderOptions { Application = OpusApplication.Audio, BitrateBps = 32000 },
            new OpusEncoderOptions { FrameMs = 10 },
            new OpusEncoderOptions { FrameMs = 60, Dtx = true },
        })
        {
            var decoded = OpusCodecHarness.RoundTrip(audio.Format, audio.Samples, options);
            var lag = SignalMetrics.FindLag(audio.Samples, decoded, 640);
            var snr = SignalMetrics.Snr(audio.Samples, decoded, lag);
            Assert.True(snr > 7.0, $"{options}: SNR {snr:F2} dB at lag {lag}");
        }
    }

    private static void AssertRoundTrip(string name, WavAudio audio, double minSnr, double minSegSnr)
    {
        var options = new OpusEncoderOptions();
        int lookahead;
        using (var encoder = new OpusEncoder(audio.Format, options))
        {
            lookahead = encoder.LookaheadSamples;
        }

        var decoded = OpusCodecHarness.RoundTrip(audio.Format, audio.Samples, options);
        var lag = SignalMetrics.FindLag(audio.Samples, decoded, audio.Format.SampleRate / 50);
        var snr = SignalMetrics.Snr(audio.Samples, decoded, lag);
        var segSnr = SignalMetrics.SegmentalSnr(audio.Samples, decoded, lag, audio.Format.SampleRate / 50);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{name}: codec delay {lag} samples ({lag * 1000.0 / audio.Format.SampleRate:F2} ms; look-ahead {lookahead}), SNR {snr:F2} dB, segmental SNR {segSnr:F2} dB");

        Assert.InRange(lag, lookahead - 4, lookahead + 4);
        Assert.True(snr >= minSnr, $"{name}: SNR {snr:F2} dB is below {minSnr} dB");
        Assert.True(segSnr >= minSegSnr, $"{name}: segmental SNR {segSnr:F2} dB is below {minSegSnr} dB");
    }

    private static short[] Channel(short[] interleaved, int channel)
    {
        var result = new short[interleaved.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = interleaved[(2 * i) + channel];
        }

        return result;
    }
}
