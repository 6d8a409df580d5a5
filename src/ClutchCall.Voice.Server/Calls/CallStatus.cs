namespace ClutchCall.Voice.Server.Calls;

/// <summary>Where a call is in its life. The wire names are <see cref="CallStatusNames"/>.</summary>
internal enum CallStatus
{
    Dialing,
    Ringing,
    InProgress,
    Completed,
    Failed,
    NoAnswer,
}

/// <summary>Wire names of <see cref="CallStatus"/>: exactly <c>dialing | ringing | in_progress | completed | failed | no_answer</c>.</summary>
internal static class CallStatusNames
{
    public static string ToWire(this CallStatus status) => status switch
    {
        CallStatus.Dialing => "dialing",
        CallStatus.Ringing => "ringing",
        CallStatus.InProgress => "in_progress",
        CallStatus.Completed => "completed",
        CallStatus.Failed => "failed",
        CallStatus.NoAnswer => "no_answer",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? wire, out CallStatus status)
    {
        status = wire switch
        {
            "dialing" => CallStatus.Dialing,
            "ringing" => CallStatus.Ringing,
            "in_progress" => CallStatus.InProgress,
            "completed" => CallStatus.Completed,
            "failed" => CallStatus.Failed,
            "no_answer" => CallStatus.NoAnswer,
            _ => (CallStatus)(-1),
        };
        return (int)status >= 0;
    }

    public static bool IsTerminal(this CallStatus status) =>
        status is CallStatus.Completed or CallStatus.Failed or CallStatus.NoAnswer;
}
