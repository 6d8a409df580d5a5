using ClutchCall.Voice.Internal;

namespace ClutchCall.Voice;

/// <summary>
/// A snapshot of one call, as returned by <see cref="CallsClient.OriginateAsync"/> and
/// <see cref="CallsClient.GetAsync"/>. Fields are read-only; fetch again for fresh state.
/// </summary>
public sealed class Call
{
    private readonly VoiceHttp _http;

    internal Call(VoiceHttp http, CallWire wire)
    {
        _http = http;
        Sid = wire.Sid;
        Status = CallStatusNames.TryParse(wire.Status, out var s) ? s : throw new VoiceProtocolException($"Unknown call status '{wire.Status}'.");
        Direction = wire.Direction == "inbound" ? CallDirection.Inbound : CallDirection.Outbound;
        To = wire.To;
        From = wire.From;
        TrunkId = wire.TrunkId;
        Agent = wire.Agent;
        RingTimeoutSeconds = wire.RingTimeout;
        EndReason = wire.EndReason;
        StartedAt = wire.StartedAt;
        AnsweredAt = wire.AnsweredAt;
        EndedAt = wire.EndedAt;
        DurationSeconds = wire.DurationSeconds;
    }

    /// <summary>The call's id (<c>CA</c> + 32 hex digits): the only identifier needed to address its audio.</summary>
    public string Sid { get; }

    /// <summary>Where the call is in its life.</summary>
    public CallStatus Status { get; }

    /// <summary>Outbound or inbound.</summary>
    public CallDirection Direction { get; }

    /// <summary>E.164 destination (or test line).</summary>
    public string To { get; }

    /// <summary>Caller id.</summary>
    public string From { get; }

    /// <summary>SIP trunk, if any.</summary>
    public string? TrunkId { get; }

    /// <summary>Attached AI agent id, if any.</summary>
    public string? Agent { get; }

    /// <summary>Ring timeout after server clamping (5..120).</summary>
    public int RingTimeoutSeconds { get; }

    /// <summary>Why the call ended (<c>hangup</c>, <c>canceled</c>, <c>transferred</c>, <c>ring_timeout</c>, …); null while live.</summary>
    public string? EndReason { get; }

    /// <summary>When the call was originated (UTC).</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>When it was answered, if it was.</summary>
    public DateTimeOffset? AnsweredAt { get; }

    /// <summary>When it ended, if it has.</summary>
    public DateTimeOffset? EndedAt { get; }

    /// <summary>Whole seconds from answer to end (0 when never answered); null while live.</summary>
    public int? DurationSeconds { get; }

    /// <summary>Blind-transfers the call to an E.164 number (shorthand for <c>{ To = to }</c>).</summary>
    public Task TransferAsync(string to, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(to);
        return TransferAsync(new TransferOptions { To = to }, cancellationToken);
    }

    /// <summary>Transfers to a number or re-attaches a different agent. Exactly one of <see cref="TransferOptions.To"/> / <see cref="TransferOptions.Agent"/>.</summary>
    public async Task TransferAsync(TransferOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.To is null) == (options.Agent is null))
        {
            throw new ArgumentException("Provide exactly one of To or Agent.", nameof(options));
        }

        await _http.SendAsync<CallWire>(HttpMethod.Post, $"/v1/calls/{Uri.EscapeDataString(Sid)}/transfer", new TransferWire(options.To, options.Agent), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the call and drops both audio tracks.</summary>
    public async Task HangupAsync(CancellationToken cancellationToken = default) =>
        await _http.SendAsync<CallWire>(HttpMethod.Post, $"/v1/calls/{Uri.EscapeDataString(Sid)}/hangup", null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sends DTMF digits to the far end of a SIP call in progress, as RFC 4733 telephone-events (about 160 ms per
    /// digit); completes once the last digit has been sent.
    /// </summary>
    /// <param name="digits">1 to 32 of <c>0-9</c>, <c>*</c>, <c>#</c>, <c>A-D</c>, e.g. <c>"12#"</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="ArgumentException"><paramref name="digits"/> is empty or holds something other than DTMF digits.</exception>
    /// <exception cref="VoiceApiException">
    /// The server refused: 400 for bad digits, 404 for a call not in this org, 409 when the call is not in progress
    /// or is not a SIP call.
    /// </exception>
    public async Task SendDigitsAsync(string digits, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(digits);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c) && c is not ('*' or '#' or 'A' or 'B' or 'C' or 'D'))
            {
                throw new ArgumentException($"'{c}' is not a DTMF digit (use 0-9, *, #, A-D).", nameof(digits));
            }
        }

        await _http.SendAsync<CallWire>(HttpMethod.Post, $"/v1/calls/{Uri.EscapeDataString(Sid)}/digits", new { digits }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The call's transcript so far.</summary>
    public async Task<IReadOnlyList<TranscriptEntry>> GetTranscriptAsync(CancellationToken cancellationToken = default)
    {
        var wire = await _http.SendAsync<TranscriptWire>(HttpMethod.Get, $"/v1/calls/{Uri.EscapeDataString(Sid)}/transcript", null, cancellationToken).ConfigureAwait(false);
        return wire.Entries.Select(e => new TranscriptEntry(e.Speaker, e.Text, e.At)).ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Sid} {Status.ToWireName()} {From} -> {To}";
}
