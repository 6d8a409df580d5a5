using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Media;

/// <summary>
/// Streaming sample-rate converter for interleaved PCM16: a polyphase windowed-sinc FIR (Kaiser window)
/// with a shared precomputed coefficient table and SIMD dot products.
/// </summary>
/// <remarks>
/// Filter state is kept across calls, so feeding a signal in 20 ms chunks yields exactly the samples a
/// single call over the whole signal would. <see cref="Process"/> allocates nothing. Quality (see
/// docs/media-resampler.md): passband flat to 0.9 × the lower Nyquist frequency, everything above the lower
/// Nyquist frequency attenuated by about <see cref="ResamplerFilter.DesignAttenuationDb"/> dB.
/// One instance belongs to one stream and is not thread-safe.
/// </remarks>
internal sealed class Resampler
{
    /// <summary>Input samples per channel converted per internal block (larger calls are split).</summary>
    private const int BlockSamples = 1024;

    private const int MinRate = 8000;
    private const int MaxRate = 192000;

    private readonly ResamplerFilter? _filter;
    private readonly int _taps;
    private readonly float[][] _history;

    // Position of the next output on the prototype-rate grid, relative to the first new input sample
    // of the next block; always in [0, M) between calls.
    private long _position;

    public Resampler(int inputRate, int outputRate, int channels = 1)
    {
        ValidateRate(inputRate, nameof(inputRate));
        ValidateRate(outputRate, nameof(outputRate));
        if (channels is not (1 or 2))
        {
            throw new NotSupportedException($"Resampler supports 1 or 2 channels, not {channels}.");
        }

        InputRate = inputRate;
        OutputRate = outputRate;
        Channels = channels;
        if (inputRate == outputRate)
        {
            _history = [];
            return;
        }

        _filter = ResamplerFilter.For(inputRate, outputRate);
        _taps = _filter.TapsPerPhase;
        _history = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            _history[c] = new float[_taps - 1 + BlockSamples];
        }
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    public int Channels { get; }

    /// <summary>Group delay in output samples per channel: an impulse at input time t appears at output index t·out/in + DelaySamples.</summary>
    public int DelaySamples => _filter?.DelayOutputSamples ?? 0;

    /// <summary>Upper bound of the samples per channel <see cref="Process"/> writes for <paramref name="inputSamples"/> samples per channel.</summary>
    public static int MaxOutput(int inputRate, int outputRate, int inputSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        ArgumentOutOfRangeException.ThrowIfNegative(inputSamples);
        return (int)((((long)inputSamples * outputRate) + inputRate - 1) / inputRate);
    }

    /// <summary>
    /// Converts interleaved <paramref name="input"/> and writes interleaved output. Returns samples per
    /// channel written. <paramref name="output"/> must hold <see cref="MaxOutput"/> × channels samples.
    /// </summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        var channels = Channels;
        if (input.Length % channels != 0)
        {
            throw new ArgumentException($"Input length {input.Length} is not a multiple of {channels} channels.", nameof(input));
        }

        var frames = input.Length / channels;
        var needed = MaxOutput(InputRate, OutputRate, frames) * channels;
        if (output.Length < needed)
        {
            throw new ArgumentException($"Output holds {output.Length} samples; {needed} are needed.", nameof(output));
        }

        if (_filter is null)
        {
            input.CopyTo(output);
            return frames;
        }

        var written = 0;
        while (frames > 0)
        {
            var block = Math.Min(frames, BlockSamples);
            var n = ProcessBlock(input[..(block * channels)], output[(written * channels)..], block);
            written += n;
            input = input[(block * channels)..];
            frames -= block;
        }

        return written;
    }

    /// <summary>Forgets all history, as if freshly constructed.</summary>
    public void Reset()
    {
        _position = 0;
        foreach (var h in _history)
        {
            Array.Clear(h);
        }
    }

    private int ProcessBlock(ReadOnlySpan<short> input, Span<short> output, int block)
    {
        var filter = _filter!;
        var taps = _taps;
        var keep = taps - 1;
        var phases = filter.Phases;
        var step = filter.Step;
        var channels = Channels;
        ref var coefficients = ref MemoryMarshal.GetArrayDataReference(filter.Coefficients);

        var produced = 0;
        for (var c = 0; c < channels; c++)
        {
            var history = _history[c];
            for (var i = 0; i < block; i++)
            {
                history[keep + i] = input[(i * channels) + c];
            }

            ref var samples = ref MemoryMarshal.GetArrayDataReference(history);
            ref var destination = ref MemoryMarshal.GetReference(output);

            // Walk the prototype-rate grid incrementally (no division per output): the next output sits
            // at baseIndex·L + phase, and each output advances the grid by M.
            var baseIndex = (int)(_position / phases);
            var phase = (int)(_position - ((long)baseIndex * phases));
            var stepBase = step / phases;
            var stepPhase = step - (stepBase * phases);
            var n = 0;
            while (baseIndex < block)
            {
                var acc = FirKernel.Dot(ref Unsafe.Add(ref coefficients, phase * taps), ref Unsafe.Add(ref samples, baseIndex), taps);
                Unsafe.Add(ref destination, (n * channels) + c) = Saturate(acc);
                n++;
                baseIndex += stepBase;
                phase += stepPhase;
                if (phase >= phases)
                {
                    phase -= phases;
                    baseIndex++;
                }
            }

            var position = ((long)baseIndex * phases) + phase;
            var limit = (long)block * phases;
            Debug.Assert((n * channels) <= output.Length, "Process checked the output against MaxOutput.");

            // Slide the newest taps-1 samples to the front for the next block.
            history.AsSpan(block, keep).CopyTo(history);
            produced = n;
            if (c == channels - 1)
            {
                _position = position - limit;
            }
        }

        return produced;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static short Saturate(float value)
    {
        var rounded = MathF.Round(value);
        return rounded >= short.MaxValue ? short.MaxValue : rounded <= short.MinValue ? short.MinValue : (short)rounded;
    }

    private static void ValidateRate(int rate, string name)
    {
        if (rate is < MinRate or > MaxRate)
        {
            throw new NotSupportedException($"Sample rate {rate} Hz ({name}) is not supported; use {MinRate}..{MaxRate} Hz (8000, 16000, 24000 or 48000 on the call path).");
        }
    }
}
