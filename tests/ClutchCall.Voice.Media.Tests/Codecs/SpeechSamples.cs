using System.Diagnostics;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Media.Tests.Codecs;

/// <summary>Real speech for codec tests: the shared recordings, and espeak-ng output resampled by sox.</summary>
internal static class SpeechSamples
{
    /// <summary>A 16 kHz mono recording from shared/testdata/speech (skips the test when absent).</summary>
    public static WavAudio Shared(string name)
    {
        var audio = WavFile.Read(TestData.Require($"speech/{name}"));
        Assert.Equal(new AudioFormat(16000, 1), audio.Format);
        return audio;
    }

    /// <summary>
    /// Synthesises <paramref name="text"/> with espeak-ng (22 050 Hz) and resamples it with sox to
    /// <paramref name="rate"/>. Skips the test when either tool is missing.
    /// </summary>
    public static WavAudio Espeak(string text, int rate)
    {
        var dir = Directory.CreateTempSubdirectory("clutchcall-espeak-");
        try
        {
            var raw = Path.Combine(dir.FullName, "espeak.wav");
            var resampled = Path.Combine(dir.FullName, "resampled.wav");
            Run("espeak-ng", "espeak-ng", ["-w", raw, text]);
            Run("sox", "sox", [raw, "-r", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), resampled]);
            return WavFile.Read(resampled);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs a tool to completion; skips the test when it is not installed.</summary>
    public static void Run(string tool, string aptPackage, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip($"SKIPPED: '{tool}' is not installed (sudo apt-get install {aptPackage}).");
            throw;
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            _ = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{tool} did not finish within 30 s.");
            }

            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        }
    }
}
