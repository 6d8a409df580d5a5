using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tests.Support;

namespace ClutchCall.Voice.Speech.Tests.Stt;

/// <summary>
/// pocketsphinx on the real speech clips. Bounds: the measured WER (docs/speech.md) plus a small
/// margin; key words are the distinctive ones the stock model gets right.
/// </summary>
public sealed class PocketSphinxSpeechToTextTests : IClassFixture<PocketSphinxFixture>
{
    private readonly PocketSphinxFixture _fixture;

    public PocketSphinxSpeechToTextTests(PocketSphinxFixture fixture)
    {
        _fixture = fixture;
    }

    [Theory]
    [InlineData("librivox-0870", 0.40, new[] { "john", "leisure", "consider", "power" })]
    [InlineData("librivox-0880", 0.30, new[] { "was", "not", "young" })]
    [InlineData("librivox-0890", 0.47, new[] { "rather", "selfish", "cold" })]
    [InlineData("jfk", 0.86, new[] { "what", "can", "do", "your" })]
    public async Task Recognise_RealSpeech_WerWithinBoundAndKeyWords(string clip, double maxWer, string[] keyWords)
    {
        var stt = _fixture.Engine;
        var audio = SpeechSamples.Load(clip);
        var result = await Recogniser.RecogniseAsync(stt, audio, TestContext.Current.CancellationToken);
        var wer = WordErrorRate.Compute(SpeechSamples.Transcript(clip), result.Final.Text);
        TestContext.Current.TestOutputHelper!.WriteLine($"{clip}: WER {wer:P1} partials {result.Partials.Count} \"{result.Final.Text}\" confidence {result.Final.Confidence:F3}");
        Assert.True(wer <= maxWer, $"{clip}: WER {wer:P1} > {maxWer:P0}: \"{result.Final.Text}\"");
        var words = WordErrorRate.Normalise(result.Final.Text);
        foreach (var key in keyWords)
        {
            Assert.Contains(key, words);
        }

        Assert.True(result.Final.IsFinal);
        Assert.NotEmpty(result.Final.Words);
        Assert.NotEmpty(result.Partials);
        Assert.All(result.Partials, p => Assert.False(p.IsFinal));
        var last = TimeSpan.Zero;
        foreach (var w in result.Final.Words)
        {
            TestContext.Current.TestOutputHelper!.WriteLine($"  {w.Word} {w.Start.TotalSeconds:F2}-{w.End.TotalSeconds:F2}");
            Assert.True(w.Start >= last - TimeSpan.FromMilliseconds(10) && w.End > w.Start, $"word {w.Word} at {w.Start}-{w.End}");
            Assert.True(w.End <= TimeSpan.FromSeconds(audio.Length / 16000.0) + TimeSpan.FromMilliseconds(20), $"word {w.Word} ends at {w.End}");
            last = w.End;
        }
    }

    [Fact]
    public async Task PooledDecoder_IsolatedStreamsAfterOtherSpeech_SameResultAsFreshDecoder()
    {
        // Live CMN carried across utterances changed jfk's words after the decoder had heard 0880; with
        // IsolateStreams a pooled decoder must recognise exactly as a fresh one does.
        var ct = TestContext.Current.CancellationToken;
        var fresh = await Recogniser.RecogniseAsync(_fixture.Engine, SpeechSamples.Load("jfk"), ct);
        using var pooled = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 1, IsolateStreams = true });
        _ = await Recogniser.RecogniseAsync(pooled, SpeechSamples.Load("librivox-0880"), ct);
        var reused = await Recogniser.RecogniseAsync(pooled, SpeechSamples.Load("jfk"), ct);
        TestContext.Current.TestOutputHelper!.WriteLine($"fresh \"{fresh.Final.Text}\"\nreused \"{reused.Final.Text}\"");
        Assert.Equal(fresh.Final.Text, reused.Final.Text);
        Assert.Equal(fresh.Final.Words.Select(w => (w.Word, w.Start, w.End)), reused.Final.Words.Select(w => (w.Word, w.Start, w.End)));
    }

    [Fact]
    public async Task PooledDecoder_SharedStreams_CarriesCepstralMeanForward()
    {
        // The default keeps adapting: the same decoder, after 0880, hears jfk differently than fresh. If this
        // ever fails, the carried state is gone and IsolateStreams no longer changes anything.
        var ct = TestContext.Current.CancellationToken;
        var fresh = await Recogniser.RecogniseAsync(_fixture.Engine, SpeechSamples.Load("jfk"), ct);
        using var pooled = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 1 });
        _ = await Recogniser.RecogniseAsync(pooled, SpeechSamples.Load("librivox-0880"), ct);
        var reused = await Recogniser.RecogniseAsync(pooled, SpeechSamples.Load("jfk"), ct);
        Assert.NotEqual(fresh.Final.Words.Select(w => (w.Word, w.Start, w.End)), reused.Final.Words.Select(w => (w.Word, w.Start, w.End)));
    }

    [Fact]
    public void CmnReset_DebianSphinxbase_LayoutRecognised()
    {
        using var stt = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 1 });
        _ = _fixture.Engine; // skips when pocketsphinx is not installed
        var decoder = stt.RentForTest();
        Assert.NotNull(decoder.CmnReset);
        stt.ReturnForTest(decoder);
    }

    [Fact]
    public async Task Recognise_Silence_EmptyFinal()
    {
        var result = await Recogniser.RecogniseAsync(_fixture.Engine, new short[16000], TestContext.Current.CancellationToken);
        Assert.True(result.Final.IsFinal);
        Assert.Empty(result.Final.Words);
    }

    [Fact]
    public async Task Dispose_MidUtterance_ReleasesWithoutFinal()
    {
        var stream = await _fixture.Engine.StartAsync(TestContext.Current.CancellationToken);
        await stream.WriteAsync(new short[3200], TestContext.Current.CancellationToken);
        await stream.DisposeAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.CompleteAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Start_MissingModel_ClearErrorNamingPackage()
    {
        using var stt = new PocketSphinxSpeechToText(new PocketSphinxOptions { AcousticModel = "/nonexistent/model" });
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(async () => await stt.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Unavailable, ex.Kind);
        Assert.Contains("pocketsphinx-en-us", ex.Message);
    }
}

public sealed class PocketSphinxFixture : IDisposable
{
    private readonly Lazy<PocketSphinxSpeechToText> _engine = new(() =>
    {
        var e = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 0 }); // fresh decoder per stream: order-independent results
        try
        {
            e.EnsureAvailable();
        }
        catch (SpeechEngineException ex) when (ex.Kind == SpeechEngineErrorKind.Unavailable)
        {
            Assert.Skip($"SKIPPED: {ex.Message}");
        }

        return e;
    });

    internal PocketSphinxSpeechToText Engine => _engine.Value;

    public void Dispose()
    {
        if (_engine.IsValueCreated)
        {
            _engine.Value.Dispose();
        }
    }
}
