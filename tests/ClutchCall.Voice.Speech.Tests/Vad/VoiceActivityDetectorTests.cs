using ClutchCall.Voice.Speech.Tests.Support;
using ClutchCall.Voice.Speech.Vad;

namespace ClutchCall.Voice.Speech.Tests.Vad;

public sealed class VoiceActivityDetectorTests
{
    [Theory]
    [InlineData(8000, 10)]
    [InlineData(8000, 20)]
    [InlineData(16000, 10)]
    [InlineData(16000, 20)]
    [InlineData(16000, 30)]
    public void Process_SilenceAndLowNoise_NeverSpeech(int rate, int frameMs)
    {
        var vad = new VoiceActivityDetector(rate, frameMs, VadAggressiveness.Quality);
        var rng = new Random(1);
        var frame = new short[rate / 1000 * frameMs];
        for (var f = 0; f < 3000 / frameMs; f++)
        {
            for (var i = 0; i < frame.Length; i++)
            {
                frame[i] = f < 50 ? (short)0 : (short)rng.Next(-30, 31);
            }

            Assert.False(vad.Process(frame), $"frame {f}");
        }
    }

    [Fact]
    public void Process_SpeechAt8kHz_DetectsSpeech()
    {
        var clip = SpeechSamples.Load("librivox-0880");
        var narrow = new short[clip.Length / 2];
        for (var i = 0; i < narrow.Length; i++)
        {
            narrow[i] = (short)((clip[2 * i] + clip[(2 * i) + 1]) / 2); // crude decimation is enough here
        }

        var vad = new VoiceActivityDetector(8000, 20);
        var speech = 0;
        var frames = narrow.Length / 160;
        for (var f = 0; f < frames; f++)
        {
            speech += vad.Process(narrow.AsSpan(f * 160, 160)) ? 1 : 0;
        }

        Assert.InRange((double)speech / frames, 0.5, 1.0);
    }

    [Fact]
    public void Process_SteadyState_AllocatesNothing()
    {
        var vad = new VoiceActivityDetector(16000, 20);
        var frame = new short[320];
        var rng = new Random(3);
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)rng.Next(-3000, 3000);
        }

        vad.Process(frame);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var f = 0; f < 500; f++)
        {
            vad.Process(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_UnsupportedRateOrFrame_ThrowsClearly()
    {
        Assert.Throws<NotSupportedException>(() => new VoiceActivityDetector(48000, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceActivityDetector(16000, 25));
        var vad = new VoiceActivityDetector(16000, 20);
        Assert.Throws<ArgumentException>(() => vad.Process(new short[100]));
    }

    [Fact]
    public void Process_ClippedSpeech_StillDetectsAndDoesNotThrow()
    {
        var clip = SpeechSamples.Load("librivox-0890").Select(s => (short)Math.Clamp(s * 20, short.MinValue, short.MaxValue)).ToArray();
        var vad = new VoiceActivityDetector(16000, 20);
        var speech = 0;
        var frames = clip.Length / 320;
        for (var f = 0; f < frames; f++)
        {
            speech += vad.Process(clip.AsSpan(f * 320, 320)) ? 1 : 0;
        }

        Assert.True(speech > frames / 2);
    }
}
