using ClutchCall.Voice.Media;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Speech.Tests.Support;

/// <summary>Loads the shared 16 kHz speech clips and their transcripts.</summary>
internal static class SpeechSamples
{
    public static readonly string[] LibriVox = ["librivox-0870", "librivox-0880", "librivox-0890"];

    public static short[] Load(string name)
    {
        var path = TestData.Require($"speech/{name}.wav");
        var wav = WavFile.Read(path);
        Assert.Equal(new AudioFormat(16000, 1), wav.Format);
        return wav.Samples;
    }

    public static string Transcript(string name)
    {
        if (name == "jfk")
        {
            return "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";
        }

        return File.ReadAllText(TestData.Require($"speech/{name}.txt")).Trim();
    }

    /// <summary>Splits a signal into consecutive 20 ms frames (the tail is zero-padded).</summary>
    public static IEnumerable<short[]> Frames(short[] signal, int frameSamples = 320)
    {
        for (var i = 0; i < signal.Length; i += frameSamples)
        {
            var frame = new short[frameSamples];
            Array.Copy(signal, i, frame, 0, Math.Min(frameSamples, signal.Length - i));
            yield return frame;
        }
    }
}
