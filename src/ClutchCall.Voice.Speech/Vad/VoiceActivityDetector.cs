using ClutchCall.Voice.Speech.Dsp;

namespace ClutchCall.Voice.Speech.Vad;

/// <summary>
/// Frame-level voice activity detector for PCM16 at 8 or 16 kHz in 10, 20 or 30 ms frames.
/// </summary>
/// <remarks>
/// <para>Features: log energy in five sub-bands between 250 and 3400 Hz (the telephone band, so
/// G.711 band-limited audio and wideband audio look alike) from a Hann-windowed FFT, plus spectral
/// flatness over the same range.</para>
/// <para>Model: per band a two-component Gaussian mixture in the dB domain, one component for the
/// background and one for speech, as in WebRTC's VAD. The background component adapts on frames
/// judged non-speech and tracks downward minima quickly; the speech component adapts on speech
/// frames and is kept at least <see cref="MinSpeechGapDb"/> above the background. A frame is raw
/// speech when the weighted sum of per-band log-likelihood ratios passes a global threshold or one
/// band passes a local threshold; white-noise-like frames (high flatness) are penalised. The output
/// adds an onset run and a hangover, both set by <see cref="VadAggressiveness"/>.</para>
/// <para>Not thread-safe; one instance per call leg. <see cref="Process"/> allocates nothing.</para>
/// </remarks>
internal sealed class VoiceActivityDetector
{
    private const int Bands = 5;
    private const float MinSpeechGapDb = 6f;
    private const float LlrMin = -1.5f;
    private const float LlrMax = 15f;
    private const float NoiseUpdateScore = 1f;
    private const float SpeechUpdateScore = 4f;
    private const int SilenceRms = 60; // about -55 dBFS: quieter frames are never speech

    private static readonly float[] BandEdgesHz = [250f, 500f, 1000f, 1600f, 2400f, 3400f];
    private static readonly float[] BandWeights = [0.9f, 1.2f, 1.2f, 1.0f, 0.8f];

    // Per aggressiveness: global LLR threshold, local (single band) threshold, onset ms, hangover ms.
    private static readonly float[] GlobalThreshold = [2f, 3.5f, 5f, 6.5f];
    private static readonly float[] LocalThreshold = [5f, 6f, 8f, 10f];
    private static readonly int[] OnsetMs = [20, 20, 40, 40];
    private static readonly int[] HangoverMs = [240, 180, 140, 100];
    private const int MinWindowMs = 1200;
    private const int MinSubWindows = 6;
    private const float MinStatBiasDb = 2f;

    private readonly RealFft _fft;
    private readonly float[] _window;
    private readonly float[] _frame;
    private readonly float[] _power;
    private readonly int[] _bandStart = new int[Bands];
    private readonly int[] _bandEnd = new int[Bands];
    private readonly float[] _noiseMean = new float[Bands];
    private readonly float[] _noiseVar = new float[Bands];
    private readonly float[] _speechMean = new float[Bands];
    private readonly float[] _speechVar = new float[Bands];
    private readonly float[] _features = new float[Bands];
    private readonly float[] _smoothed = new float[Bands];
    private readonly float[] _subMin = new float[Bands * MinSubWindows];
    private readonly float[] _currentMin = new float[Bands];
    private readonly int _subWindowFrames;
    private int _subWindowFill;
    private int _subWindowIndex;
    private readonly int _flatStart;
    private readonly int _flatEnd;
    private readonly float _alphaNoise;
    private readonly float _alphaNoiseInSpeech;
    private readonly float _alphaSpeech;
    private readonly float _globalThreshold;
    private readonly float _localThreshold;
    private readonly int _onsetFrames;
    private readonly int _hangoverFrames;
    private bool _initialised;
    private int _speechRun;
    private int _hangover;
    private bool _active;

    public VoiceActivityDetector(int sampleRate, int frameMs = 20, VadAggressiveness aggressiveness = VadAggressiveness.LowBitrate)
    {
        if (sampleRate is not (8000 or 16000))
        {
            throw new NotSupportedException($"VAD runs at 8000 or 16000 Hz, not {sampleRate} Hz; resample first.");
        }

        if (frameMs is not (10 or 20 or 30))
        {
            throw new ArgumentOutOfRangeException(nameof(frameMs), frameMs, "VAD frames are 10, 20 or 30 ms.");
        }

        var mode = (int)aggressiveness;
        ArgumentOutOfRangeException.ThrowIfLessThan(mode, 0, nameof(aggressiveness));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mode, 3, nameof(aggressiveness));

        SampleRate = sampleRate;
        FrameMs = frameMs;
        Aggressiveness = aggressiveness;
        FrameSamples = sampleRate / 1000 * frameMs;
        _fft = new RealFft((int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)FrameSamples));
        _window = new float[FrameSamples];
        for (var i = 0; i < FrameSamples; i++)
        {
            _window[i] = (float)(0.5 - (0.5 * Math.Cos(2 * Math.PI * (i + 0.5) / FrameSamples)));
        }

        _frame = new float[FrameSamples];
        _power = new float[(_fft.Size / 2) + 1];
        var binHz = (float)sampleRate / _fft.Size;
        for (var b = 0; b < Bands; b++)
        {
            _bandStart[b] = Math.Max(1, (int)MathF.Round(BandEdgesHz[b] / binHz));
            _bandEnd[b] = Math.Max(_bandStart[b] + 1, (int)MathF.Round(BandEdgesHz[b + 1] / binHz));
        }

        _flatStart = _bandStart[0];
        _flatEnd = _bandEnd[Bands - 1];
        _alphaNoise = Alpha(frameMs, 300);
        _alphaNoiseInSpeech = Alpha(frameMs, 15_000);
        _alphaSpeech = Alpha(frameMs, 600);
        _globalThreshold = GlobalThreshold[mode];
        _localThreshold = LocalThreshold[mode];
        _onsetFrames = Math.Max(1, (OnsetMs[mode] + frameMs - 1) / frameMs);
        _hangoverFrames = HangoverMs[mode] / frameMs;
        _subWindowFrames = Math.Max(1, MinWindowMs / MinSubWindows / frameMs);
    }

    public int SampleRate { get; }

    public int FrameMs { get; }

    /// <summary>Samples in one frame (mono).</summary>
    public int FrameSamples { get; }

    public VadAggressiveness Aggressiveness { get; }

    /// <summary>The summed log-likelihood ratio of the last frame (speech against background).</summary>
    public float LastScore { get; private set; }

    /// <summary>The last frame's spectral flatness between 250 and 3400 Hz (0 tonal … 1 white).</summary>
    public float LastFlatness { get; private set; }

    /// <summary>The last frame's decision before onset and hangover smoothing.</summary>
    public bool LastRawDecision { get; private set; }

    /// <summary>Forgets everything learnt about the background.</summary>
    public void Reset()
    {
        _initialised = false;
        _speechRun = 0;
        _hangover = 0;
        _active = false;
    }

    /// <summary>Classifies one frame of exactly <see cref="FrameSamples"/> mono samples. True for speech.</summary>
    public bool Process(ReadOnlySpan<short> frame)
    {
        if (frame.Length != FrameSamples)
        {
            throw new ArgumentException($"VAD frame must hold {FrameSamples} samples, got {frame.Length}.", nameof(frame));
        }

        long energy = 0;
        for (var i = 0; i < frame.Length; i++)
        {
            energy += frame[i] * frame[i];
            _frame[i] = frame[i] * _window[i];
        }

        _fft.PowerSpectrum(_frame, _power);
        var flatness = Flatness();
        LastFlatness = flatness;
        for (var b = 0; b < Bands; b++)
        {
            var sum = 0.0;
            for (var k = _bandStart[b]; k < _bandEnd[b]; k++)
            {
                sum += _power[k];
            }

            var db = 10f * MathF.Log10((float)(sum / (_bandEnd[b] - _bandStart[b])) + 1f);
            _features[b] = db;
        }

        if (!_initialised)
        {
            for (var b = 0; b < Bands; b++)
            {
                _noiseMean[b] = _features[b];
                _noiseVar[b] = 9f;
                _speechMean[b] = _features[b] + 15f;
                _speechVar[b] = 64f;
                _smoothed[b] = _features[b];
                _currentMin[b] = _features[b];
                for (var u = 0; u < MinSubWindows; u++)
                {
                    _subMin[(b * MinSubWindows) + u] = _features[b];
                }
            }

            _subWindowFill = 0;
            _subWindowIndex = 0;

            _initialised = true;
        }

        var total = 0f;
        var localHit = false;
        for (var b = 0; b < Bands; b++)
        {
            var llr = LogLikelihoodRatio(b, _features[b]);
            total += BandWeights[b] * llr;
            localHit |= llr > _localThreshold;
        }

        // White-noise-like spectra (flatness near the periodogram's ~0.5) are rarely voiced speech.
        total -= 20f * MathF.Max(0f, flatness - 0.6f);
        LastScore = total;
        var raw = energy > (long)SilenceRms * SilenceRms * frame.Length && (total > _globalThreshold || (localHit && total > 0f));
        LastRawDecision = raw;

        // The models learn from confident frames only, whatever the aggressiveness: a strict mode
        // that let rejected speech into the background model would raise the floor into the speech.
        Adapt(total < NoiseUpdateScore ? Confidence.Background : total > SpeechUpdateScore ? Confidence.Speech : Confidence.Unsure);
        return Smooth(raw);
    }

    private float LogLikelihoodRatio(int b, float x)
    {
        var dn = x - _noiseMean[b];
        var ds = x - _speechMean[b];
        var llr = (0.5f * ((dn * dn / _noiseVar[b]) - (ds * ds / _speechVar[b])))
                  + (0.5f * MathF.Log(_noiseVar[b] / _speechVar[b]));
        if (dn <= 0f)
        {
            llr = MathF.Min(llr, 0f);
        }

        return Math.Clamp(llr, LlrMin, LlrMax);
    }

    private enum Confidence
    {
        Background,
        Unsure,
        Speech,
    }

    private void Adapt(Confidence confidence)
    {
        var speech = confidence != Confidence.Background;
        for (var b = 0; b < Bands; b++)
        {
            var x = _features[b];
            var d = x - _noiseMean[b];
            if (d < 0f)
            {
                // Minimum tracking: the background falls fast.
                _noiseMean[b] += 0.3f * d;
            }
            else
            {
                _noiseMean[b] += (speech ? _alphaNoiseInSpeech : _alphaNoise) * d;
            }

            if (!speech)
            {
                _noiseVar[b] = Math.Clamp(_noiseVar[b] + (_alphaNoise * ((d * d) - _noiseVar[b])), 6.25f, 64f);
            }
            else if (confidence == Confidence.Speech)
            {
                var ds = x - _speechMean[b];
                _speechMean[b] += _alphaSpeech * ds;
                _speechVar[b] = Math.Clamp(_speechVar[b] + (_alphaSpeech * ((ds * ds) - _speechVar[b])), 16f, 144f);
            }

            // Minimum statistics: the background is at least the (bias-corrected) minimum of the
            // smoothed band energy over the last ~1.2 s, so a background that steps up is learnt
            // even while every frame is being called speech.
            _smoothed[b] = (0.6f * _smoothed[b]) + (0.4f * x);
            _currentMin[b] = MathF.Min(_currentMin[b], _smoothed[b]);
            var floor = _currentMin[b];
            for (var u = 0; u < MinSubWindows; u++)
            {
                floor = MathF.Min(floor, _subMin[(b * MinSubWindows) + u]);
            }

            _noiseMean[b] = MathF.Max(_noiseMean[b], floor + MinStatBiasDb);
            _speechMean[b] = MathF.Max(_speechMean[b], _noiseMean[b] + MinSpeechGapDb + MathF.Sqrt(_noiseVar[b]));
        }

        if (++_subWindowFill >= _subWindowFrames)
        {
            _subWindowFill = 0;
            for (var b = 0; b < Bands; b++)
            {
                _subMin[(b * MinSubWindows) + _subWindowIndex] = _currentMin[b];
                _currentMin[b] = float.MaxValue;
            }

            _subWindowIndex = (_subWindowIndex + 1) % MinSubWindows;
        }
    }

    private bool Smooth(bool raw)
    {
        if (raw)
        {
            _speechRun++;
            if (_speechRun >= _onsetFrames)
            {
                _active = true;
                _hangover = _hangoverFrames;
            }
        }
        else
        {
            _speechRun = 0;
            if (_active)
            {
                if (_hangover > 0)
                {
                    _hangover--;
                }
                else
                {
                    _active = false;
                }
            }
        }

        return _active;
    }

    private float Flatness()
    {
        var logSum = 0.0;
        var sum = 0.0;
        var n = _flatEnd - _flatStart;
        for (var k = _flatStart; k < _flatEnd; k++)
        {
            var p = _power[k] + 1e-3;
            logSum += Math.Log(p);
            sum += p;
        }

        return (float)(Math.Exp(logSum / n) / (sum / n));
    }

    private static float Alpha(int frameMs, int timeConstantMs) => (float)(1 - Math.Exp(-(double)frameMs / timeConstantMs));
}
