using System.Globalization;
using System.Net;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// Keeps a trunk registration alive (RFC 3261 §10.2): REGISTER with the trunk's credentials, refreshed
/// before the granted expiry, 423 Interval Too Brief answered with the registrar's Min-Expires (§10.2.8),
/// failures retried after a back-off.
/// </summary>
internal sealed class SipRegistration : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    private readonly SipUserAgent _ua;
    private readonly SipTrunkOptions _trunk;
    private readonly string _callId;
    private readonly string _tag = SipResponseFactory.NewTag();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstResult = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _cseq;
    private Task? _loop;

    public SipRegistration(SipUserAgent ua, SipTrunkOptions trunk)
    {
        _ua = ua;
        _trunk = trunk;
        _callId = SipResponseFactory.NewCallId(ua.Host);
        RequestedExpires = trunk.RegisterExpiresSeconds;
    }

    public string TrunkId => _trunk.Id;

    public bool IsRegistered { get; private set; }

    /// <summary>Expiry the registrar granted on the last success, in seconds.</summary>
    public int GrantedExpires { get; private set; }

    /// <summary>Expiry asked for (raised by a 423's Min-Expires).</summary>
    public int RequestedExpires { get; private set; }

    public int LastStatus { get; private set; }

    public int Successes { get; private set; }

    /// <summary>The registrar target that answered last (RFC 3263 §4.3); refreshes go there first. Null before any answer.</summary>
    public IPEndPoint? CurrentTarget { get; private set; }

    /// <summary>The targets tried that failed in the last exchange (timeout, transport error, 503), or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>Every target a REGISTER went to, in order (diagnostics and tests).</summary>
    internal System.Collections.Concurrent.ConcurrentQueue<IPEndPoint> Attempts { get; } = new();

    /// <summary>Completes after the first attempt settles (success or failure).</summary>
    public Task FirstAttempt => _firstResult.Task;

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan next;
            try
            {
                next = await RegisterOnceAsync(RequestedExpires, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
#pragma warning disable CA1031 // a failed attempt is retried, never fatal
            catch (Exception e)
#pragma warning restore CA1031
            {
                IsRegistered = false;
                LastError = e.Message;
                next = RetryDelay;
            }

            _firstResult.TrySetResult();
            try
            {
                await Task.Delay(next, _ua.Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One REGISTER exchange; returns how long to wait before the next one. RFC 3263 §4.3: the registrar target that
    /// answered last is tried first; a timeout, a transport error or a 503 moves the request to the next target as a
    /// new transaction (new branch, next CSeq, same Call-ID per RFC 3261 §10.2), and a refresh sticks to the target
    /// that answered until it fails.
    /// </summary>
    private async Task<TimeSpan> RegisterOnceAsync(int expires, CancellationToken ct)
    {
        var targets = await _ua.ResolveTrunkTargetsAsync(_trunk, ct).ConfigureAwait(false);
        var order = new List<IPEndPoint>(targets.Count);
        if (CurrentTarget is { } sticky && targets.Contains(sticky))
        {
            order.Add(sticky);
        }

        order.AddRange(targets.Where(t => !t.Equals(CurrentTarget)));
        var tried = new List<string>();
        SipMessage? response = null;
        foreach (var destination in order)
        {
            Attempts.Enqueue(destination);
            var (final, failure) = await ExchangeAsync(expires, destination, ct).ConfigureAwait(false);
            response = final;
            if (failure is null && final.StatusCode != 503)
            {
                CurrentTarget = destination;
                break;
            }

            tried.Add($"{SipTargetFailure.Describe(_ua, destination)}: {failure ?? $"{final.StatusCode} {final.ReasonPhrase}"}");
            if (CurrentTarget?.Equals(destination) == true)
            {
                CurrentTarget = null;
            }

            response = null;
        }

        if (response is null)
        {
            LastStatus = 503;
            LastError = "no registrar answered: " + string.Join("; ", tried);
            IsRegistered = false;
            return RetryDelay;
        }

        LastError = tried.Count > 0 ? "failed over after: " + string.Join("; ", tried) : null;
        LastStatus = response.StatusCode;
        if (response.StatusCode == 423 && int.TryParse(response.GetHeader("Min-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var min) && min > expires)
        {
            // §10.2.8: retry at once with at least Min-Expires.
            RequestedExpires = min;
            return TimeSpan.Zero;
        }

        if (response.StatusCode is < 200 or >= 300)
        {
            IsRegistered = false;
            return RetryDelay;
        }

        // §10.2.4: the registrar's expiry is in the Contact's expires parameter, else the Expires header.
        var granted = expires;
        foreach (var c in response.Contacts)
        {
            if (c.Uri.Host == _ua.Host && int.TryParse(c.GetParameter("expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                granted = e;
            }
        }

        if (response.Contacts.Count == 0 && int.TryParse(response.GetHeader(SipHeaderNames.Expires), NumberStyles.None, CultureInfo.InvariantCulture, out var h))
        {
            granted = h;
        }

        GrantedExpires = granted;
        IsRegistered = true;
        Successes++;
        // Refresh well before expiry: at half the interval, and never later than 30 s before it.
        var refresh = Math.Max(1, Math.Min(granted / 2.0, granted - 30));
        return TimeSpan.FromSeconds(refresh);
    }

    /// <summary>
    /// One REGISTER to one target with a Digest challenge answered once (RFC 3261 §22.2); the failure text says why
    /// the target reached nobody (timeout or transport error), null when the registrar answered.
    /// </summary>
    private async Task<(SipMessage Final, string? Failure)> ExchangeAsync(int expires, IPEndPoint destination, CancellationToken ct)
    {
        var started = _ua.Time.GetTimestamp();
        var tx = _ua.StartTransaction(Build(expires, destination), destination);
        var response = await tx.FinalResponse.WaitAsync(ct).ConfigureAwait(false);
        if (SipTargetFailure.Of(_ua, tx, response, started) is { } failure)
        {
            return (response, failure);
        }

        if (response.StatusCode is not (401 or 407) || SipUserAgent.CredentialsOf(_trunk) is not { } credentials
            || Auth.DigestAuthenticator.PickChallenge(response) is not { } challenge)
        {
            return (response, null);
        }

        var retry = Build(expires, destination);
        retry.Add(Auth.DigestAuthenticator.AnswerHeaderFor(response.StatusCode),
            Auth.DigestAuthenticator.CreateAuthorization(challenge, credentials, retry.Method, retry.RequestUri, 1, Auth.DigestAuthenticator.NewCnonce()));
        started = _ua.Time.GetTimestamp();
        tx = _ua.StartTransaction(retry, destination);
        response = await tx.FinalResponse.WaitAsync(ct).ConfigureAwait(false);
        return (response, SipTargetFailure.Of(_ua, tx, response, started));
    }

    private SipMessageBuilder Build(int expires, IPEndPoint destination)
    {
        var domain = _trunk.EffectiveDomain;
        var aor = $"<sip:{_trunk.Username}@{domain}>";
        return SipMessageBuilder.Request("REGISTER", $"sip:{domain}")
            .Add(SipHeaderNames.Via, _ua.NewVia(destination))
            .Add(SipHeaderNames.MaxForwards, "70")
            .Add(SipHeaderNames.From, aor + ";tag=" + _tag)
            .Add(SipHeaderNames.To, aor)
            .Add(SipHeaderNames.CallId, _callId)
            .Add(SipHeaderNames.CSeq, (++_cseq).ToString(CultureInfo.InvariantCulture) + " REGISTER")
            .Add(SipHeaderNames.Contact, _ua.Contact(_trunk.Username, destination))
            .Add(SipHeaderNames.Expires, expires.ToString(CultureInfo.InvariantCulture))
            .Add(SipHeaderNames.UserAgent, _ua.Options.Product);
    }

    /// <summary>Stops refreshing and removes the binding (Expires: 0, §10.2.2) on a best-effort basis.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (IsRegistered)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var destination = CurrentTarget ?? await _ua.ResolveTrunkAsync(_trunk, cts.Token).ConfigureAwait(false);
                await _ua.SendWithAuthAsync(() => Build(0, destination), destination, SipUserAgent.CredentialsOf(_trunk), cts.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // unregistering is best effort
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            IsRegistered = false;
        }

        _stop.Dispose();
    }
}
