using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>How a session ended: the termination code (draft-ietf-moq-transport-14 §3.4), why, and who ended it.</summary>
internal sealed record MoqtSessionCloseInfo(MoqtSessionErrorCode Code, string Reason, bool IsLocal);
