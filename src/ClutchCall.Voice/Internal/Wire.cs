namespace ClutchCall.Voice.Internal;

internal sealed record CallWire(
    string Sid,
    string Status,
    string Direction,
    string To,
    string From,
    string? TrunkId,
    string? Agent,
    int RingTimeout,
    string? EndReason,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt,
    int? DurationSeconds);

internal sealed record CallListWire(IReadOnlyList<CallWire> Items, string? NextCursor);

internal sealed record OriginateWire(string To, string From, string? TrunkId, string? Agent, int? RingTimeout);

internal sealed record TransferWire(string? To, string? Agent);

internal sealed record AgentWire(string Agent);

internal sealed record AudioTokenRequestWire(string Role);

internal sealed record AudioTokenWire(
    string Token,
    DateTimeOffset ExpiresAt,
    string CallSid,
    string Role,
    string Namespace,
    IReadOnlyList<string> Publish,
    IReadOnlyList<string> Subscribe,
    string RelayHost,
    IReadOnlyList<string> RelayUrls,
    string? WebTransportUrl = null,
    IReadOnlyList<CertificateHashWire>? ServerCertificateHashes = null);

internal sealed record CertificateHashWire(string Algorithm, string Value);

internal sealed record TranscriptEntryWire(string Speaker, string Text, DateTimeOffset At);

internal sealed record TranscriptWire(string CallSid, IReadOnlyList<TranscriptEntryWire> Entries);

internal sealed record ProblemWire(string? Type, string? Title, int? Status, string? Detail);
