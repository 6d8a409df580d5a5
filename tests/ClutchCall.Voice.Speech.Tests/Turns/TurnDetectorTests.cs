using ClutchCall.Voice.Speech.Turns;

namespace ClutchCall.Voice.Speech.Tests.Turns;

/// <summary>Scripted VAD sequences (20 ms frames) through the turn detector.</summary>
public sealed class TurnDetectorTests
{
    private const long Frame = 20_000;

    private static List<TurnEvent> Run(TurnDetector d, string script, ref long t)
    {
        // '1' = speech frame, '0' = silence frame
        var events = new List<TurnEvent>();
        foreach (var c in script)
        {
            var e = d.OnFrame(c == '1', t, Frame);
            t += Frame;
            if (e.Kind != TurnEventKind.None)
            {
                events.Add(e);
            }
        }

        return events;
    }

    private static string S(int speechMs, int silenceMs) => new string('1', speechMs / 20) + new string('0', silenceMs / 20);

    [Fact]
    public void OnFrame_SpeechThen600msSilence_EndsTurnWithTimes()
    {
        var d = new TurnDetector();
        long t = 0;
        var events = Run(d, S(0, 100) + S(1000, 580), ref t);
        Assert.Equal([TurnEventKind.SpeechStarted], events.Select(e => e.Kind));
        events = Run(d, "0", ref t);
        var end = Assert.Single(events);
        Assert.Equal(TurnEventKind.TurnEnded, end.Kind);
        Assert.Equal(100_000, end.StartUs);
        Assert.Equal(1_100_000, end.EndUs);
    }

    [Fact]
    public void OnFrame_ShortBurst_DiscardedNotTurn()
    {
        var d = new TurnDetector();
        long t = 0;
        var events = Run(d, S(100, 800), ref t);
        Assert.Equal([TurnEventKind.SpeechStarted, TurnEventKind.SpeechDiscarded], events.Select(e => e.Kind));
    }

    [Fact]
    public void OnFrame_PauseShorterThanEndSilence_OneTurn()
    {
        var d = new TurnDetector();
        long t = 0;
        var events = Run(d, S(500, 400) + S(500, 700), ref t);
        Assert.Equal([TurnEventKind.SpeechStarted, TurnEventKind.TurnEnded], events.Select(e => e.Kind));
    }

    [Fact]
    public void OnFrame_CallerMidNumber_WaitsLonger()
    {
        var d = new TurnDetector();
        long t = 0;
        Run(d, S(800, 0), ref t);
        d.CallerMidNumber = true;
        Assert.DoesNotContain(Run(d, S(0, 1000), ref t), e => e.Kind == TurnEventKind.TurnEnded);
        Assert.Contains(Run(d, S(0, 600), ref t), e => e.Kind == TurnEventKind.TurnEnded);
    }

    [Fact]
    public void OnDtmf_DigitsThenTimeout_TurnCarriesDigits()
    {
        var d = new TurnDetector();
        long t = 0;
        Assert.Equal(TurnEventKind.DtmfDigit, d.OnDtmf('1', t).Kind);
        Run(d, S(0, 500), ref t);
        Assert.Equal(TurnEventKind.DtmfDigit, d.OnDtmf('2', t).Kind);
        Assert.Empty(Run(d, S(0, 1900), ref t));
        var end = Assert.Single(Run(d, S(0, 200), ref t));
        Assert.Equal(TurnEventKind.TurnEnded, end.Kind);
        Assert.Equal("12", end.Digits);
    }

    [Fact]
    public void OnDtmf_Terminator_EndsAtOnce()
    {
        var d = new TurnDetector();
        d.OnDtmf('4', 0);
        d.OnDtmf('2', 100_000);
        var end = d.OnDtmf('#', 200_000);
        Assert.Equal(TurnEventKind.TurnEnded, end.Kind);
        Assert.Equal("42", end.Digits);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.OnDtmf('x', 0));
    }

    [Fact]
    public void OnFrame_AgentSpeakingLongSpeech_BargeInAfterMinimum()
    {
        var d = new TurnDetector(new TurnOptions { BargeInMinSpeech = TimeSpan.FromMilliseconds(600) });
        d.AgentSpeaking = true;
        long t = 0;
        var events = Run(d, S(0, 200) + S(580, 0), ref t);
        Assert.DoesNotContain(events, e => e.Kind == TurnEventKind.BargeIn);
        events = Run(d, "1", ref t);
        var barge = Assert.Single(events);
        Assert.Equal(TurnEventKind.BargeIn, barge.Kind);
        Assert.Equal(200_000, barge.StartUs);
        d.AgentSpeaking = false;
        events = Run(d, S(400, 600), ref t);
        Assert.Equal(TurnEventKind.TurnEnded, Assert.Single(events).Kind);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(400)]
    [InlineData(500)]
    public void OnFrame_ShortOkayOverAgent_BackchannelNoTurn(int okayMs)
    {
        var d = new TurnDetector();
        d.AgentSpeaking = true;
        long t = 0;
        var events = Run(d, S(0, 100) + S(okayMs, 1500), ref t);
        Assert.Equal([TurnEventKind.SpeechStarted, TurnEventKind.Backchannel], events.Select(e => e.Kind));
        Assert.False(d.InTurn);
    }

    [Fact]
    public void OnFrame_VeryLongSpeech_ForcedEndAtMaxTurn()
    {
        var d = new TurnDetector(new TurnOptions { MaxTurn = TimeSpan.FromSeconds(2) });
        long t = 0;
        var events = Run(d, S(2500, 0), ref t);
        Assert.Contains(events, e => e.Kind == TurnEventKind.TurnEnded);
    }

    [Fact]
    public void EndsMidNumber_DigitsAndWords()
    {
        Assert.True(NumberHeuristics.EndsMidNumber("my number is four five"));
        Assert.True(NumberHeuristics.EndsMidNumber("call 555 12"));
        Assert.False(NumberHeuristics.EndsMidNumber("thank you"));
        Assert.False(NumberHeuristics.EndsMidNumber(""));
    }
}
