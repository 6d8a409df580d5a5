using System.Diagnostics;
using ClutchCall.Voice.Sip.Tests.UserAgent;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.Interop;

/// <summary>The audio side of calls with baresip: recordings converted with sox and the check that speech crossed both ways.</summary>
internal static class BaresipAudio
{
    /// <summary>Converts a WAV to mono PCM16 at <paramref name="rate"/> with sox (skips when sox is missing).</summary>
    public static string Sox(string input, int rate, string effects = "")
    {
        if (!File.Exists("/usr/bin/sox"))
        {
            Assert.Skip("SKIPPED: sox is not installed (apt-get install sox)");
        }

        var output = Path.Combine(Directory.CreateTempSubdirectory("sox-").FullName, "out.wav");
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/sox", $"{input} -r {rate} -c 1 -b 16 {output} {effects}") { RedirectStandardError = true })!;
        p.WaitForExit(10_000);
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    /// <summary>Places a call through <paramref name="trunkId"/> whose received PCM is kept from the answer on.</summary>
    public static ListeningCall PlaceListeningCall(SipUserAgent ua, string trunkId, string to) => new(ua.PlaceCall(trunkId, new SipCallRequest { To = to }));

    /// <summary>Speaks the first 3 s of jfk.wav (16 kHz) on the call, paced one 20 ms frame per deadline from a dedicated thread, then lets the tail arrive.</summary>
    public static async Task SpeakJfkAsync(SipCall call, CancellationToken ct)
    {
        var speech = SpeechSignal.Jfk16k(3.0);
        await UserAgent.ClockPacedSpeech.SendAsync(call.Media!, speech, ct);

        await Task.Delay(500, ct);
    }

    /// <summary>
    /// Asserts each direction against its own source: what we heard (16 kHz) matches baresip's microphone
    /// <paramref name="mic"/> within <paramref name="maxLagUs"/> samples, and baresip's decoded dump matches the first
    /// 3 s of jfk.wav, which we sent.
    /// </summary>
    public static void AssertSpeechBothWays(short[] heardByUs, string mic, Baresip baresip, int maxLagUs)
    {
        var output = TestContext.Current.TestOutputHelper;
        Assert.True(SpeechSignal.Rms(heardByUs) > 200, $"our side heard silence from baresip (rms {SpeechSignal.Rms(heardByUs):0})");

        // baresip starts talking at its 200 OK, a little before our first frame: skip 0.5 s of its recording
        // so the reference starts after what we heard does.
        var micReference = SpeechSignal.ReadWav(Sox(mic, 16000)).Pcm.AsSpan(8000, 16000 * 2).ToArray();
        var (usPeak, usLag) = SpeechSignal.CrossCorrelate(micReference, heardByUs, maxLagUs);
        var usWindowed = SpeechSignal.WindowedCorrelation(micReference, heardByUs, usLag, 3200, 1600);
        output?.WriteLine($"we heard {heardByUs.Length / 16000.0:0.00} s; correlation with baresip's microphone peak {usPeak:0.000} at {usLag / 16} ms, windowed median {usWindowed:0.000}");
        Assert.True(usWindowed > 0.8, $"what we heard does not match baresip's microphone: windowed {usWindowed:0.000}, peak {usPeak:0.000}");

        var dump = Directory.GetFiles(baresip.Directory, "*.wav").Where(f => f.Contains("dec", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(dump.Count > 0, "baresip wrote no decoded dump: " + string.Join(", ", Directory.GetFiles(baresip.Directory)) + "\n" + baresip.Log);
        var (rate, _, heardByBaresip) = SpeechSignal.ReadWav(dump[0]);
        Assert.True(SpeechSignal.Rms(heardByBaresip) > 200, $"baresip heard silence (rms {SpeechSignal.Rms(heardByBaresip):0})");
        var reference = SpeechSignal.ReadWav(Sox(TestData.Require("speech/jfk.wav"), 8000, "trim 0 3")).Pcm;
        var (peak, lag) = SpeechSignal.CrossCorrelate(reference, heardByBaresip, rate * 2);
        var windowed = SpeechSignal.WindowedCorrelation(reference, heardByBaresip, lag, rate / 5, rate / 10);
        output?.WriteLine($"baresip heard {heardByBaresip.Length / (double)rate:0.00} s at {rate} Hz; correlation peak {peak:0.000} at {lag * 1000 / rate} ms, windowed median {windowed:0.000}");
        Assert.True(windowed > 0.8, $"baresip's audio does not match what we sent: windowed {windowed:0.000}, peak {peak:0.000}");
    }
}

/// <summary>A placed call and the PCM it has received since it was answered.</summary>
internal sealed class ListeningCall
{
    private readonly List<short> _heard = [];
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ListeningCall(SipCall call)
    {
        Call = call;
        call.Answered += c =>
        {
            c.Media!.PcmReceived += (pcm, _, _) =>
            {
                lock (_heard)
                {
                    _heard.AddRange(pcm.ToArray());
                }
            };
            _answered.TrySetResult();
        };
    }

    public SipCall Call { get; }

    public Task Answered => _answered.Task;

    /// <summary>What the call has received so far.</summary>
    public short[] Heard()
    {
        lock (_heard)
        {
            return [.. _heard];
        }
    }
}
