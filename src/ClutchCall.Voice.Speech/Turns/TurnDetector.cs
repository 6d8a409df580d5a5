namespace ClutchCall.Voice.Speech.Turns;

/// <summary>
/// Endpointing and barge-in decisions for one call, driven only by frame timestamps (never the
/// wall clock), so a recorded or scripted VAD sequence replays exactly. Feed every uplink frame's
/// VAD decision to <see cref="OnFrame"/> and every DTMF digit to <see cref="OnDtmf"/>; tell it when
/// agent audio is playing with <see cref="AgentSpeaking"/>. Not thread-safe; allocates only the
/// digit string of an ended turn.
/// </summary>
internal sealed class TurnDetector
{
    private const int MaxDigits = 64;

    private readonly TurnOptions _options;
    private readonly char[] _digits = new char[MaxDigits];
    private int _digitCount;
    private bool _burst;
    private long _burstStartUs;
    private bool _bargeInFired;
    private bool _burstIsBackchannelCandidate;
    private bool _turnOpen;
    private bool _hasSpeech;
    private long _turnStartUs;
    private long _turnSpeechUs;
    private long _lastActivityEndUs;

    public TurnDetector(TurnOptions? options = null)
    {
        _options = options ?? new TurnOptions();
    }

    public TurnOptions Options => _options;

    /// <summary>True while agent audio is being played to the caller.</summary>
    public bool AgentSpeaking { get; set; }

    /// <summary>Set from partial recognition: the caller is saying a number, so wait longer.</summary>
    public bool CallerMidNumber { get; set; }

    /// <summary>True between the first speech or digit of a turn and its end.</summary>
    public bool InTurn => _hasSpeech || _digitCount > 0;

    /// <summary>True while the open turn holds caller speech (not only digits).</summary>
    public bool InSpeechTurn => _hasSpeech;

    /// <summary>Takes one frame's VAD decision. <paramref name="timestampUs"/> is the frame start.</summary>
    public TurnEvent OnFrame(bool speech, long timestampUs, long durationUs)
    {
        var endUs = timestampUs + durationUs;
        if (speech)
        {
            var evt = TurnEvent.None;
            if (!_burst)
            {
                _burst = true;
                _burstStartUs = timestampUs;
                _bargeInFired = false;
                _burstIsBackchannelCandidate = AgentSpeaking;
                if (!InTurn)
                {
                    _turnStartUs = timestampUs;
                    _turnSpeechUs = 0;
                    evt = new TurnEvent(TurnEventKind.SpeechStarted, timestampUs, endUs);
                }

                _hasSpeech = true;
            }

            _turnSpeechUs += durationUs;
            _lastActivityEndUs = endUs;
            if (_turnSpeechUs >= _options.MinSpeech.Ticks / 10 && !_burstIsBackchannelCandidate)
            {
                _turnOpen = true;
            }

            // Barge-in needs continuous speech over the agent for BargeInMinSpeech.
            if (_burstIsBackchannelCandidate && !_bargeInFired && endUs - _burstStartUs >= _options.BargeInMinSpeech.Ticks / 10)
            {
                _bargeInFired = true;
                _burstIsBackchannelCandidate = false;
                _turnOpen = true;
                return new TurnEvent(TurnEventKind.BargeIn, _burstStartUs, endUs);
            }

            if (_turnOpen && endUs - _turnStartUs >= _options.MaxTurn.Ticks / 10)
            {
                return EndTurn(endUs);
            }

            return evt;
        }

        if (_burst)
        {
            _burst = false;
            if (_burstIsBackchannelCandidate)
            {
                // A short acknowledgement over the agent: not a turn, not an interruption.
                var start = _burstStartUs;
                _burstIsBackchannelCandidate = false;
                if (!_turnOpen && _digitCount == 0)
                {
                    ResetTurn();
                }

                return new TurnEvent(TurnEventKind.Backchannel, start, _lastActivityEndUs);
            }
        }

        if (!InTurn)
        {
            return TurnEvent.None;
        }

        var silenceUs = endUs - _lastActivityEndUs;
        if (_turnOpen || _digitCount > 0)
        {
            var wait = _digitCount > 0 && !_turnOpen ? _options.DtmfInterDigitTimeout
                : CallerMidNumber || _digitCount > 0 ? _options.MidNumberSilence
                : _options.EndOfTurnSilence;
            if (silenceUs >= wait.Ticks / 10)
            {
                return EndTurn(_lastActivityEndUs);
            }
        }
        else if (silenceUs >= _options.EndOfTurnSilence.Ticks / 10)
        {
            var discarded = new TurnEvent(TurnEventKind.SpeechDiscarded, _turnStartUs, _lastActivityEndUs);
            ResetTurn();
            return discarded;
        }

        return TurnEvent.None;
    }

    /// <summary>Takes a DTMF digit (0-9, *, #, A-D). The terminator key ends the turn at once.</summary>
    public TurnEvent OnDtmf(char digit, long timestampUs)
    {
        if (!IsDtmf(digit))
        {
            throw new ArgumentOutOfRangeException(nameof(digit), digit, "DTMF digits are 0-9, *, #, A-D.");
        }

        if (!InTurn)
        {
            _turnStartUs = timestampUs;
        }

        _lastActivityEndUs = Math.Max(_lastActivityEndUs, timestampUs);
        if (_options.DtmfTerminator == digit)
        {
            return EndTurn(_lastActivityEndUs);
        }

        if (_digitCount < MaxDigits)
        {
            _digits[_digitCount++] = digit;
        }

        return new TurnEvent(TurnEventKind.DtmfDigit, timestampUs, timestampUs, digit);
    }

    private TurnEvent EndTurn(long endUs)
    {
        var digits = _digitCount > 0 ? new string(_digits, 0, _digitCount) : null;
        var evt = new TurnEvent(TurnEventKind.TurnEnded, _turnStartUs, endUs, Digits: digits);
        ResetTurn();
        return evt;
    }

    private void ResetTurn()
    {
        _digitCount = 0;
        _turnOpen = false;
        _hasSpeech = false;
        _turnSpeechUs = 0;
        CallerMidNumber = false;
        if (_burst)
        {
            // Speech still running when a turn is forced to end starts the next one.
            _hasSpeech = true;
            _turnStartUs = _lastActivityEndUs;
        }
    }

    private static bool IsDtmf(char c) => c is (>= '0' and <= '9') or '*' or '#' or (>= 'A' and <= 'D');
}
