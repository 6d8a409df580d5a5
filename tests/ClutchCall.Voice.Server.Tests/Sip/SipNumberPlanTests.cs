using System.Net;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Sip.UserAgent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>Inbound routing by trunk and dialled number, the caller-ID allow-list, and digit validation.</summary>
public sealed class SipNumberPlanTests
{
    private static readonly SipTrunkOptions Lab = new() { Id = "lab", Host = "127.0.0.1" };
    private static readonly SipTrunkOptions Other = new() { Id = "other", Host = "10.0.0.1" };

    private static SipNumberPlan Plan() => new(
    [
        new SipNumberOptions { Did = "+14155550100", OrgId = "acme", TrunkId = "lab", Agent = "bot" },
        new SipNumberOptions { Did = "+1 (415) 555-0101", OrgId = "acme", AllowedCallers = ["+14155550199"], RejectStatus = 603 },
        new SipNumberOptions { Did = "+14155550100", OrgId = "globex" },
    ]);

    private static SipInboundCallInfo Info(SipTrunkOptions? trunk, string did, string caller) =>
        new(trunk, did, caller, new IPEndPoint(IPAddress.Loopback, 5060));

    [Fact]
    public void Match_TrunkBoundEntryWinsOverAnyTrunkEntry()
    {
        var plan = Plan();
        Assert.Equal("acme", plan.Match(Lab, "+14155550100")!.OrgId);
        Assert.Equal("globex", plan.Match(Other, "+14155550100")!.OrgId);
        Assert.Equal("globex", plan.Match(null, "14155550100")!.OrgId);
        Assert.Null(plan.Match(Lab, "+14155550999"));
    }

    [Fact]
    public void Evaluate_UnknownNumber_Rejects404()
    {
        var decision = Plan().Evaluate(Info(Lab, "+19995550000", "+14155550199"));
        Assert.False(decision.Accept);
        Assert.Equal(404, decision.StatusCode);
    }

    [Fact]
    public void Evaluate_CallerOnAllowList_AcceptsInAnyNotation()
    {
        Assert.True(Plan().Evaluate(Info(Lab, "14155550101", "+14155550199")).Accept);
        Assert.True(Plan().Evaluate(Info(Lab, "+14155550101", "14155550199")).Accept);
    }

    [Fact]
    public void Evaluate_CallerNotOnAllowList_RejectsWithNumbersStatus()
    {
        var decision = Plan().Evaluate(Info(Lab, "+14155550101", "+14155550198"));
        Assert.False(decision.Accept);
        Assert.Equal(603, decision.StatusCode);
        Assert.Equal("Decline", decision.Reason);
    }

    [Fact]
    public void Evaluate_NumberWithoutList_AcceptsAnyone()
    {
        Assert.True(Plan().Evaluate(Info(Lab, "+14155550100", "anonymous")).Accept);
    }

    [Theory]
    [InlineData("+1 415-555-0100", "14155550100")]
    [InlineData("alice", "alice")]
    [InlineData("", "")]
    [InlineData("+", "+")]
    public void Normalize_DropsPlusAndVisualSeparators(string input, string expected) =>
        Assert.Equal(expected, SipNumberPlan.Normalize(input));

    [Theory]
    [InlineData("14155550199", "+14155550199")]
    [InlineData("+14155550199", "+14155550199")]
    [InlineData("sipp", "sipp")]
    public void ToE164_AddsPlusOnlyToNumbers(string input, string expected) =>
        Assert.Equal(expected, SipNumberPlan.ToE164(input));

    [Theory]
    [InlineData("12#", true)]
    [InlineData("0123456789*#ABCD", true)]
    [InlineData("", false)]
    [InlineData("12a", false)]
    [InlineData("1 2", false)]
    [InlineData("123456789012345678901234567890123", false)]
    public void Digits_Check_AcceptsOnlyRfc4733Digits(string digits, bool ok) =>
        Assert.Equal(ok, SipDigits.Check(digits) is null);

    [Theory]
    [InlineData("Did", "", "Did is required")]
    [InlineData("OrgId", "", "OrgId is required")]
    [InlineData("TrunkId", "nope", "TrunkId 'nope'")]
    [InlineData("RejectStatus", "200", "RejectStatus 200")]
    [InlineData("Agent", "bad agent", "Agent")]
    public void AddSipTrunks_BadNumber_FailsNamingTheEntry(string field, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sip:Trunks:lab:Host"] = "127.0.0.1",
            ["Sip:Trunks:lab:KeepAliveSeconds"] = "0",
            ["Sip:Numbers:0:Did"] = "+14155550100",
            ["Sip:Numbers:0:OrgId"] = "acme",
        };
        settings["Sip:Numbers:0:" + field] = value;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var e = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSipTrunks(config));
        Assert.Contains("Sip:Numbers:0", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
