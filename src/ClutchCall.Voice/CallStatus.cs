namespace ClutchCall.Voice;

/// <summary>Where a call is in its life. Wire names: <c>dialing | ringing | in_progress | completed | failed | no_answer</c>.</summary>
public enum CallStatus
{
    /// <summary><c>dialing</c>: the call is being placed.</summary>
    Dialing,

    /// <summary><c>ringing</c>: the far end is ringing.</summary>
    Ringing,

    /// <summary><c>in_progress</c>: answered; audio flows.</summary>
    InProgress,

    /// <summary><c>completed</c>: ended normally (hangup, transfer, or cancelled before answer).</summary>
    Completed,

    /// <summary><c>failed</c>: could not be placed or broke.</summary>
    Failed,

    /// <summary><c>no_answer</c>: rang until the ring timeout.</summary>
    NoAnswer,
}

/// <summary>Which way a call was set up.</summary>
public enum CallDirection
{
    /// <summary><c>outbound</c>: originated through the API.</summary>
    Outbound,

    /// <summary><c>inbound</c>: received on a number.</summary>
    Inbound,
}

/// <summary>Conversions between the enums and their wire names.</summary>
public static class CallStatusNames
{
    /// <summary>The wire name of <paramref name="status"/>.</summary>
    public static string ToWireName(this CallStatus status) => status switch
    {
        CallStatus.Dialing => "dialing",
        CallStatus.Ringing => "ringing",
        CallStatus.InProgress => "in_progress",
        CallStatus.Completed => "completed",
        CallStatus.Failed => "failed",
        CallStatus.NoAnswer => "no_answer",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Parses a wire name; false for anything else.</summary>
    public static bool TryParse(string? wireName, out CallStatus status)
    {
        foreach (var s in Enum.GetValues<CallStatus>())
        {
            if (s.ToWireName() == wireName)
            {
                status = s;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>True for completed, failed and no_answer: the call will not change again.</summary>
    public static bool IsTerminal(this CallStatus status) => status is CallStatus.Completed or CallStatus.Failed or CallStatus.NoAnswer;
}
