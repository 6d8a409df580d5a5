
namespace ClutchCall.Voice.Server.Calls.Tests;

public sealed class CallStateMachineTests
{
    private static readonly HashSet<(CallStatus, CallStatus)> Allowed =
    [
        (CallStatus.Dialing, CallStatus.Ringing),
        (CallStatus.Dialing, CallStatus.InProgress),
        (CallStatus.Dialing, CallStatus.Failed),
        (CallStatus.Dialing, CallStatus.NoAnswer),
        (CallStatus.Dialing, CallStatus.Completed),
        (CallStatus.Ringing, CallStatus.InProgress),
        (CallStatus.Ringing, CallStatus.Failed),
        (CallStatus.Ringing, CallStatus.NoAnswer),
        (CallStatus.Ringing, CallStatus.Completed),
        (CallStatus.InProgress, CallStatus.Completed),
        (CallStatus.InProgress, CallStatus.Failed),
    ];

    public static TheoryData<int, int> AllPairs()
    {
        var data = new TheoryData<int, int>();
        foreach (var from in Enum.GetValues<CallStatus>())
        {
            foreach (var to in Enum.GetValues<CallStatus>())
            {
                data.Add((int)from, (int)to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Transition_EveryPair_AllowedExactlyWhenListed(int fromValue, int toValue)
    {
        var (from, to) = ((CallStatus)fromValue, (CallStatus)toValue);
        var call = NewCall(from);
        var now = call.StartedAt.AddSeconds(10);
        if (Allowed.Contains((from, to)))
        {
            Assert.True(CallStateMachine.CanTransition(from, to));
            var next = call.TransitionTo(to, now, "why");
            Assert.Equal(to, next.Status);
        }
        else
        {
            Assert.False(CallStateMachine.CanTransition(from, to));
            var ex = Assert.Throws<CallTransitionException>(() => call.TransitionTo(to, now));
            Assert.Equal(from, ex.From);
            Assert.Equal(to, ex.To);
            Assert.Contains(from.ToWire(), ex.Message);
        }
    }

    [Fact]
    public void Transition_TerminalStates_NeverChange()
    {
        foreach (var terminal in new[] { CallStatus.Completed, CallStatus.Failed, CallStatus.NoAnswer })
        {
            Assert.True(terminal.IsTerminal());
            Assert.All(Enum.GetValues<CallStatus>(), to => Assert.False(CallStateMachine.CanTransition(terminal, to)));
        }
    }

    [Fact]
    public void Transition_AnswerThenEnd_StampsTimesAndWholeSecondDuration()
    {
        var call = NewCall(CallStatus.Ringing);
        var answeredAt = call.StartedAt.AddSeconds(3);
        var answered = call.TransitionTo(CallStatus.InProgress, answeredAt);
        Assert.Equal(answeredAt, answered.AnsweredAt);
        Assert.Null(answered.DurationSeconds);
        var ended = answered.TransitionTo(CallStatus.Completed, answeredAt.AddSeconds(42.9), "hangup");
        Assert.Equal(42, ended.DurationSeconds);
        Assert.Equal(answeredAt.AddSeconds(42.9), ended.EndedAt);
        Assert.Equal("hangup", ended.EndReason);
    }

    [Fact]
    public void Transition_EndWithoutAnswer_DurationZero()
    {
        var ended = NewCall(CallStatus.Ringing).TransitionTo(CallStatus.NoAnswer, DateTimeOffset.UnixEpoch.AddMinutes(1), "ring_timeout");
        Assert.Equal(0, ended.DurationSeconds);
        Assert.Null(ended.AnsweredAt);
    }

    [Theory]
    [InlineData("dialing", 0)]
    [InlineData("ringing", 1)]
    [InlineData("in_progress", 2)]
    [InlineData("completed", 3)]
    [InlineData("failed", 4)]
    [InlineData("no_answer", 5)]
    public void StatusNames_RoundTrip_ServerAndSdkAgree(string wire, int value)
    {
        var status = (CallStatus)value;
        Assert.True(CallStatusNames.TryParse(wire, out var parsed));
        Assert.Equal(status, parsed);
        Assert.Equal(wire, status.ToWire());
        Assert.True(ClutchCall.Voice.CallStatusNames.TryParse(wire, out var sdk));
        Assert.Equal(wire, sdk.ToWireName());
        Assert.Equal(status.ToString(), sdk.ToString());
    }

    [Theory]
    [InlineData("+14155550100", true)]
    [InlineData("+442071234567", true)]
    [InlineData("+123456789012345", true)]
    [InlineData("+1234567890123456", false)]
    [InlineData("+0123", false)]
    [InlineData("14155550100", false)]
    [InlineData("+1 415 555 0100", false)]
    [InlineData("+", false)]
    [InlineData("+1", false)]
    [InlineData("", false)]
    [InlineData("+1415555010a", false)]
    [InlineData("+١٤١٥٥٥٥٠١٠٠", false)]
    public void E164_Validation(string number, bool valid) => Assert.Equal(valid, Destinations.IsE164(number));

    private static CallRecord NewCall(CallStatus status) => new()
    {
        Sid = Ids.NewCallSid(),
        OrgId = Ids.NewOrgId(),
        Direction = CallDirection.Outbound,
        To = "sim:echo",
        From = "+14155550100",
        Status = status,
        RingTimeoutSeconds = 30,
        StartedAt = DateTimeOffset.UnixEpoch,
        AnsweredAt = status == CallStatus.InProgress ? DateTimeOffset.UnixEpoch.AddSeconds(1) : null,
    };
}
