using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Server;

/// <summary>
/// The <c>media-demo</c> verb: speaks a sentence with espeak-ng and runs it through the media core as
/// 20 ms frames, the way a call's audio travels — resample to 48 kHz, Opus over a lossy, jittery network
/// into a jitter buffer, down to 8 kHz G.711 over a second lossy network and jitter buffer, and up to
/// 16 kHz — then writes WAV files (and the Opus stream as an Ogg Opus recording) to listen to, with
/// per-stage timings and jitter-buffer statistics.
/// </summary>
internal static class MediaDemo
{
    private const string DefaultText = "Hello from ClutchCall. This sentence went through Opus, G dot seven eleven, and two jitter buffers.";
    private const int FrameMs = 20;

    /// <summary>Runs the demo. Options: --text "...", --out DIR, --loss PERCENT, --jitter-ms MS, --seed N.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        var text = Option(args, "--text") ?? DefaultText;
        var outDir = Option(args, "--out") ?? "out";
        var loss = double.Parse(Option(args, "--loss") ?? "5", CultureInfo.InvariantCulture);
        var jitterMs = int.Parse(Option(args, "--jitter-ms") ?? "30", CultureInfo.InvariantCulture);
        var seed = int.Parse(Option(args, "--seed") ?? "42", CultureInfo.InvariantCulture);

        Directory.CreateDirectory(outDir);
        var sourcePath = Path.Combine(outDir, "demo-source.wav");
        Console.WriteLine($"media demo: synthesising speech with espeak-ng -> {sourcePath}");
        if (!await SynthesizeAsync(text, sourcePath, ct).ConfigureAwait(false))
        {
            return 2;
        }

        try
        {
            Run(WavFile.Read(sourcePath), outDir, loss, jitterMs, seed, ct);
            return 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or NotSupportedException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"media demo failed: {ex.Message}");
            return 1;
        }
    }

    private static void Run(WavAudio source, string outDir, double lossPercent, int jitterMs, int seed, CancellationToken ct)
    {
        var mono = ToMono(source);
        var inRate = source.Format.SampleRate;
        var inFrame = inRate / 1000 * FrameMs;
        if (inRate % 50 != 0)
        {
            throw new NotSupportedException($"The source rate {inRate} Hz does not split into 20 ms frames.");
        }

        var drainFrames = 30;
        var frames = ((mono.Length + inFrame - 1) / inFrame) + drainFrames;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"media demo: {mono.Length / (double)inRate:F2} s of speech at {inRate} Hz, {frames} frames of 20 ms; network: {lossPercent}% loss (with bursts), 40 ms + up to {jitterMs * 4} ms jitter"));

        var clock = new SimulatedClock();
        var opusOptions = new OpusEncoderOptions { BitrateBps = 24000, Complexity = 5, InbandFec = true, PacketLossPercent = (int)Math.Ceiling(lossPercent) };
        using var opusEncoder = new OpusEncoder(AudioFormat.Opus48Mono, opusOptions);
        using var opusDecoder = new OpusDecoder(AudioFormat.Opus48Mono);
        using var g711Encoder = new G711Encoder(AudioCodec.G711Ulaw, FrameMs);
        using var g711Decoder = new G711Decoder(AudioCodec.G711Ulaw);
        using var opusJitter = new JitterBuffer(opusDecoder, clock, new JitterBufferOptions { TimestampRate = 48000 });
        using var g711Jitter = new JitterBuffer(g711Decoder, clock, new JitterBufferOptions { TimestampRate = 8000 });
        var toOpus = new Resampler(inRate, 48000);
        var to8k = new Resampler(48000, 8000);
        var to16k = new Resampler(8000, 16000);
        var opusNet = new SimulatedNetwork(seed, lossPercent, 40, jitterMs);
        var g711Net = new SimulatedNetwork(seed + 1, lossPercent, 40, jitterMs);

        var stages = new[]
        {
            new StageTimings($"resample {inRate} -> 48000 Hz", frames),
            new StageTimings("opus encode (48 kHz, 24 kbps, FEC)", frames),
            new StageTimings("opus jitter buffer + decode/PLC/FEC", frames),
            new StageTimings("resample 48000 -> 8000 Hz", frames),
            new StageTimings("g711 u-law encode", frames),
            new StageTimings("g711 jitter buffer + decode/PLC", frames),
            new StageTimings("resample 8000 -> 16000 Hz", frames),
            new StageTimings("whole frame", frames),
        };

        var inBuffer = new short[inFrame];
        var pcm48 = new short[960];
        var received48 = new short[960];
        var pcm8 = new short[160];
        var received8 = new short[160];
        var pcm16 = new short[320];
        var opusPacket = new byte[OpusEncoder.MaxPacketBytes];
        var g711Packet = new byte[160];
        var opusOut = new short[frames * 960];
        var telephonyOut = new short[frames * 320];

        var opusPath = Path.Combine(outDir, "demo.opus");
        using (var opusFile = File.Create(opusPath))
        using (var ogg = new OggOpusWriter(opusFile, 1, inRate, opusEncoder.LookaheadSamples))
        {
            for (var n = 0; n < frames; n++)
            {
                ct.ThrowIfCancellationRequested();
                var nowUs = clock.NowUs;
                var sequence = (ushort)n;
                inBuffer.AsSpan().Clear();
                var offset = n * inFrame;
                if (offset < mono.Length)
                {
                    mono.AsSpan(offset, Math.Min(inFrame, mono.Length - offset)).CopyTo(inBuffer);
                }

                var frameStart = stages[7].Start();

                // Sender, browser side: resample to 48 kHz and encode with Opus.
                var t = stages[0].Start();
                toOpus.Process(inBuffer, pcm48);
                stages[0].Stop(t);

                t = stages[1].Start();
                var opusLength = opusEncoder.Encode(pcm48, opusPacket);
                stages[1].Stop(t);
                ogg.WritePacket(opusPacket.AsSpan(0, opusLength), 960);
                opusNet.Send(sequence, (uint)(n * 960), opusPacket.AsSpan(0, opusLength), nowUs);

                // Receiver: jitter buffer in, one frame out (decode, FEC or PLC).
                t = stages[2].Start();
                opusNet.Deliver(nowUs, (seq, ts, payload) => opusJitter.Push(seq, ts, payload));
                opusJitter.Pop(received48);
                stages[2].Stop(t);
                received48.CopyTo(opusOut.AsSpan(n * 960));

                // Gateway to the phone network: 8 kHz G.711 over a second lossy hop.
                t = stages[3].Start();
                to8k.Process(received48, pcm8);
                stages[3].Stop(t);

                t = stages[4].Start();
                g711Encoder.Encode(pcm8, g711Packet);
                stages[4].Stop(t);
                g711Net.Send(sequence, (uint)(n * 160), g711Packet, nowUs);

                t = stages[5].Start();
                g711Net.Deliver(nowUs, (seq, ts, payload) => g711Jitter.Push(seq, ts, payload));
                g711Jitter.Pop(received8);
                stages[5].Stop(t);

                // The phone side's audio, brought to 16 kHz (what speech recognition takes).
                t = stages[6].Start();
                to16k.Process(received8, pcm16);
                stages[6].Stop(t);
                stages[7].Stop(frameStart);
                pcm16.CopyTo(telephonyOut.AsSpan(n * 320));

                clock.Advance(TimeSpan.FromMilliseconds(FrameMs));
            }
        }

        var opusWav = Path.Combine(outDir, "demo-opus-48k.wav");
        var telephonyWav = Path.Combine(outDir, "demo-telephony-16k.wav");
        WavFile.WritePcm16(opusWav, AudioFormat.Opus48Mono, opusOut);
        WavFile.WritePcm16(telephonyWav, AudioFormat.Wideband, telephonyOut);

        Console.WriteLine();
        Console.WriteLine($"per-stage time per 20 ms frame (wall clock, first {StageTimings.WarmUpFrames} frames excluded as warm-up):");
        foreach (var stage in stages)
        {
            Console.WriteLine("  " + stage.Summary());
        }

        Console.WriteLine();
        PrintStats("opus hop", opusNet, opusJitter.Stats);
        PrintStats("g711 hop", g711Net, g711Jitter.Stats);
        Console.WriteLine();
        Console.WriteLine("wrote:");
        Console.WriteLine($"  {Path.Combine(outDir, "demo-source.wav")}   espeak-ng output ({inRate} Hz)");
        Console.WriteLine($"  {opusWav}   after Opus + lossy network + jitter buffer (48 kHz)");
        Console.WriteLine($"  {telephonyWav}   after the G.711 hop too, resampled to 16 kHz");
        Console.WriteLine($"  {opusPath}   the Opus packets as sent, Ogg Opus (RFC 7845)");
        Console.WriteLine("play with e.g.: aplay out/demo-telephony-16k.wav   (or: play out/demo.opus)");
    }

    private static void PrintStats(string name, SimulatedNetwork network, JitterBufferStats s) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: sent {network.Sent}, dropped by network {network.Dropped} | jitter buffer: target {s.TargetDelayMs} ms, depth {s.DepthMs} ms, jitter {s.JitterMs:F1} ms, received {s.Received}, late {s.Late}, lost {s.Lost}, concealed {s.Concealed}, FEC-recovered {s.FecRecovered}, duplicates {s.Duplicates}, underruns {s.Underruns}, stretched {s.Stretched}, discarded {s.Discarded}"));

    private static async Task<bool> SynthesizeAsync(string text, string path, CancellationToken ct)
    {
        var start = new ProcessStartInfo("espeak-ng") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-w");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(text);
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception)
        {
            process = null;
        }

        if (process is null)
        {
            Console.Error.WriteLine("media demo: espeak-ng is not installed. Install it with: sudo apt-get install -y espeak-ng");
            return false;
        }

        using (process)
        {
            var stderr = await process.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0 || !File.Exists(path))
            {
                Console.Error.WriteLine($"media demo: espeak-ng failed (exit {process.ExitCode}): {stderr.Trim()}");
                return false;
            }
        }

        return true;
    }

    private static short[] ToMono(WavAudio audio)
    {
        if (audio.Format.Channels == 1)
        {
            return audio.Samples;
        }

        var channels = audio.Format.Channels;
        var mono = new short[audio.Samples.Length / channels];
        for (var i = 0; i < mono.Length; i++)
        {
            var sum = 0;
            for (var c = 0; c < channels; c++)
            {
                sum += audio.Samples[(i * channels) + c];
            }

            mono[i] = (short)(sum / channels);
        }

        return mono;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
