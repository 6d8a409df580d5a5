using System.Globalization;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>What a UAS does with a request's session-timer headers (RFC 4028 §9).</summary>
internal readonly record struct SipSessionTimerAnswer(int RejectMinSe, uint Seconds, SipRefresherParam Refresher, bool RequireTimer)
{
    /// <summary>No session timer for this request.</summary>
    public static SipSessionTimerAnswer None => default;

    /// <summary>True when the request must be answered <c>422 Session Interval Too Small</c> with <see cref="RejectMinSe"/>.</summary>
    public bool Reject => RejectMinSe > 0;

    /// <summary>True when the 2xx carries a Session-Expires.</summary>
    public bool Accept => Seconds > 0;
}

/// <summary>
/// One call's session timer (RFC 4028): the negotiated interval and who refreshes. When we refresh, the refresh
/// is due at half the interval (§7.4); when the peer refreshes, the session expires at the interval minus
/// min(32 s, interval/3) without one (§10). Every successful refresh, from either side, re-arms it.
/// </summary>
internal sealed class SipSessionTimer : IDisposable
{
    /// <summary>RFC 4028 §4: the smallest session interval any UA may ask for.</summary>
    public const uint AbsoluteMinimumSeconds = 90;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Action _refreshDue;
    private readonly Action _expired;
    private ITimer? _timer;
    private bool _disposed;

    public SipSessionTimer(TimeProvider time, Action refreshDue, Action expired)
    {
        _time = time;
        _refreshDue = refreshDue;
        _expired = expired;
    }

    /// <summary>The negotiated interval, or null while no timer runs.</summary>
    public TimeSpan? Interval { get; private set; }

    /// <summary>True when we send the refreshes; false when the peer does.</summary>
    public bool LocalRefresher { get; private set; }

    /// <summary>Starts (or restarts, after a refresh) the timer for <paramref name="seconds"/>.</summary>
    public void Arm(uint seconds, bool localRefresher)
    {
        var interval = TimeSpan.FromSeconds(seconds);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Interval = interval;
            LocalRefresher = localRefresher;
            _timer?.Dispose();
            if (localRefresher)
            {
                // RFC 4028 §7.4 / §9: the refresher sends its refresh at half the session interval.
                _timer = _time.CreateTimer(static s => ((SipSessionTimer)s!).Fire(refresh: true), this, interval / 2, Timeout.InfiniteTimeSpan);
            }
            else
            {
                // RFC 4028 §10: without a refresh the session ends at expiry minus min(32 s, interval/3).
                var expiry = interval - TimeSpan.FromSeconds(Math.Min(32, interval.TotalSeconds / 3));
                _timer = _time.CreateTimer(static s => ((SipSessionTimer)s!).Fire(refresh: false), this, expiry, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>
    /// After a refresh we sent has gone unanswered for a while, the session still ends at its expiry (§10):
    /// waits the rest of the interval as if the peer were the refresher.
    /// </summary>
    public void ArmExpiryOnly(TimeSpan after)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _timer?.Dispose();
            _timer = _time.CreateTimer(static s => ((SipSessionTimer)s!).Fire(refresh: false), this, after, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The session timer was switched off (a 2xx without Session-Expires, RFC 4028 §7.2).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            Interval = null;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Fire(bool refresh)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
        }

        (refresh ? _refreshDue : _expired)();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>
    /// RFC 4028 §9: the UAS's choice for a request. A Session-Expires below our Min-SE is refused 422 when the UAC
    /// supports the timer, else raised to it; the refresher is the one the UAC named, or (when it named none) the
    /// UAC if it supports the timer and we otherwise. <c>Require: timer</c> goes into the 2xx when the UAC refreshes.
    /// A request without Session-Expires gets no timer from here (the caller keeps any running one).
    /// </summary>
    public static SipSessionTimerAnswer AnswerRequest(SipMessage request, uint localMinSe, out string? error)
    {
        error = null;
        if (request.GetHeader("Session-Expires") is not { } header)
        {
            return SipSessionTimerAnswer.None;
        }

        if (!SipExtensionHeaders.TryParseSessionExpires(header, out var se, out error))
        {
            return SipSessionTimerAnswer.None;
        }

        var uacSupports = SipExtensionHeaders.Lists(request, SipHeaderNames.Supported, "timer") || SipExtensionHeaders.Lists(request, SipHeaderNames.Require, "timer");
        var minSe = Math.Max(localMinSe, AbsoluteMinimumSeconds);
        var seconds = se.Seconds;
        if (seconds < minSe)
        {
            if (uacSupports)
            {
                return new SipSessionTimerAnswer((int)Math.Min(minSe, int.MaxValue), 0, SipRefresherParam.None, false);
            }

            // §9: the UAC cannot retry what it does not understand, so the interval is raised and we refresh.
            seconds = minSe;
            se = se with { Refresher = SipRefresherParam.Uas };
        }

        // §9: the request's Min-SE is a floor the answer must not go below.
        if (request.GetHeader("Min-SE") is { } m && SipExtensionHeaders.TryParseMinSe(m, out var requestMin, out _) && requestMin > seconds)
        {
            seconds = requestMin;
        }

        var refresher = se.Refresher switch
        {
            SipRefresherParam.Uac when uacSupports => SipRefresherParam.Uac,
            SipRefresherParam.None when uacSupports => SipRefresherParam.Uac,
            _ => SipRefresherParam.Uas,
        };
        return new SipSessionTimerAnswer(0, seconds, refresher, refresher == SipRefresherParam.Uac);
    }

    /// <summary>Adds our answer to a 2xx (RFC 4028 §9): Session-Expires with the refresher, and Require: timer when the UAC refreshes.</summary>
    public static void AddAnswer(SipMessageBuilder response, SipSessionTimerAnswer answer)
    {
        response.Add("Session-Expires", SipExtensionHeaders.FormatSessionExpires(answer.Seconds, answer.Refresher));
        if (answer.RequireTimer)
        {
            response.Add(SipHeaderNames.Require, "timer");
        }
    }

    /// <summary>RFC 4028 §9: the 422 for a too-small interval names our Min-SE.</summary>
    public static SipMessageBuilder Create422(Transactions.SipServerTransaction tx, int minSe) =>
        tx.CreateResponse(422, "Session Interval Too Small").Add("Min-SE", minSe.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// RFC 4028 §7.2: reads the Session-Expires of a 2xx to a request we sent. Returns false when it has none (no
    /// session expiration) or a malformed one; <paramref name="localRefresher"/> is true for <c>refresher=uac</c> (us)
    /// and, as the UAS must name one, also when it named none.
    /// </summary>
    public static bool ReadResponse(SipMessage response, out uint seconds, out bool localRefresher)
    {
        seconds = 0;
        localRefresher = false;
        if (!SipExtensionHeaders.TryParseSessionExpires(response.GetHeader("Session-Expires"), out var se, out _) || se.Seconds == 0)
        {
            return false;
        }

        seconds = Math.Max(se.Seconds, AbsoluteMinimumSeconds);
        localRefresher = se.Refresher != SipRefresherParam.Uas;
        return true;
    }

    /// <summary>RFC 4028 §6 / §7.1: the Min-SE of a 422, when it is usable (at least 90 s).</summary>
    public static bool TryReadMinSe(SipMessage response, out uint minSe) =>
        SipExtensionHeaders.TryParseMinSe(response.GetHeader("Min-SE"), out minSe, out _) && minSe >= AbsoluteMinimumSeconds;
}
