namespace ClutchCall.Voice.Media.Tests.Dsp;

public class ResamplerStreamingTests
{
    public static TheoryData<int, int> RatePairs() => ResamplerFrequencyResponseTests.RatePairs();

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_TwentyMsChunks_EqualsOneShot(int inRate, int outRate)
    {
        var input = Noise(inRate, seed: inRate + outRate);
        var oneShot = SineAnalysis.Resample(inRate, outRate, input);

        var chunked = new Resampler(inRate, outRate);
        var chunk = inRate / 50;
        var output = new List<short>();
        var buffer = new short[Resampler.MaxOutput(inRate, outRate, chunk)];
        for (var i = 0; i < input.Length; i += chunk)
        {
            var n = chunked.Process(input.AsSpan(i, chunk), buffer);
            Assert.Equal(outRate / 50, n);
            output.AddRange(buffer.AsSpan(0, n));
        }

        Assert.Equal(oneShot, output.ToArray());
    }

    [Theory]
    [InlineData(16000, 48000)]
    [InlineData(48000, 16000)]
    [InlineData(24000, 16000)]
    [InlineData(16000, 24000)]
    [InlineData(22050, 48000)]
    public void Process_IrregularChunks_EqualsOneShot(int inRate, int outRate)
    {
        var input = Noise(inRate, seed: 7);
        var oneShot = SineAnalysis.Resample(inRate, outRate, input);

        var r = new Resampler(inRate, outRate);
        var rng = new Random(11);
        var output = new List<short>();
        var buffer = new short[Resampler.MaxOutput(inRate, outRate, 3000)];
        for (var i = 0; i < input.Length;)
        {
            var len = Math.Min(rng.Next(0, 3000), input.Length - i);
            var n = r.Process(input.AsSpan(i, len), buffer);
            Assert.True(n <= Resampler.MaxOutput(inRate, outRate, len));
            output.AddRange(buffer.AsSpan(0, n));
            i += len;
        }

        Assert.Equal(oneShot, output.ToArray());
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_Impulse_PeaksAtReportedGroupDelay(int inRate, int outRate)
    {
        // An impulse at an input instant that falls on the output grid: t_in = 300 ms.
        var input = new short[inRate];
        var at = inRate * 3 / 10;
        input[at] = 20000;
        var output = SineAnalysis.Resample(inRate, outRate, input);
        var delay = new Resampler(inRate, outRate).DelaySamples;

        var peak = 0;
        for (var i = 1; i < output.Length; i++)
        {
            if (Math.Abs((int)output[i]) > Math.Abs((int)output[peak]))
            {
                peak = i;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{inRate}->{outRate}: group delay {delay} output samples ({delay * 1000.0 / outRate:F2} ms)");
        Assert.Equal((outRate * 3 / 10) + delay, peak);

        // Linear phase: the response is symmetric about its peak.
        for (var k = 1; k < delay / 2; k++)
        {
            Assert.InRange(output[peak + k] - output[peak - k], -1, 1);
        }
    }

    [Fact]
    public void Process_Stereo_EachChannelMatchesMono()
    {
        var left = Noise(16000, 1);
        var right = Noise(16000, 2);
        var interleaved = new short[left.Length * 2];
        for (var i = 0; i < left.Length; i++)
        {
            interleaved[2 * i] = left[i];
            interleaved[(2 * i) + 1] = right[i];
        }

        var stereo = new Resampler(16000, 48000, channels: 2);
        var output = new short[Resampler.MaxOutput(16000, 48000, left.Length) * 2];
        var n = stereo.Process(interleaved, output);

        var monoLeft = SineAnalysis.Resample(16000, 48000, left);
        var monoRight = SineAnalysis.Resample(16000, 48000, right);
        Assert.Equal(monoLeft.Length, n);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(monoLeft[i], output[2 * i]);
            Assert.Equal(monoRight[i], output[(2 * i) + 1]);
        }
    }

    [Fact]
    public void Reset_AfterSignal_BehavesLikeNewInstance()
    {
        var input = Noise(8000, 3);
        var r = new Resampler(8000, 48000);
        var buffer = new short[Resampler.MaxOutput(8000, 48000, input.Length)];
        r.Process(input, buffer);
        r.Reset();
        var n = r.Process(input, buffer);
        Assert.Equal(SineAnalysis.Resample(8000, 48000, input), buffer[..n]);
    }

    [Fact]
    public void Process_FullScaleSquareWave_SaturatesWithoutWrapping()
    {
        var input = new short[1600];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (i / 20 % 2 == 0) ? short.MaxValue : short.MinValue;
        }

        var output = SineAnalysis.Resample(8000, 48000, input);

        // Gibbs overshoot must clip, never wrap around to the opposite sign.
        for (var i = 1000; i < output.Length - 1000; i++)
        {
            var expectedSign = Math.Sign((int)input[(i - new Resampler(8000, 48000).DelaySamples) / 6]);
            if (Math.Abs((int)output[i]) > 30000)
            {
                Assert.Equal(expectedSign, Math.Sign((int)output[i]));
            }
        }
    }

    [Fact]
    public void Process_SameRate_CopiesInput()
    {
        var input = Noise(16000, 5);
        Assert.Equal(input, SineAnalysis.Resample(16000, 16000, input));
    }

    [Theory]
    [InlineData(44)]
    [InlineData(0)]
    [InlineData(400000)]
    public void Constructor_UnsupportedRate_ThrowsClearError(int rate)
    {
        var ex = Assert.Throws<NotSupportedException>(() => new Resampler(rate, 48000));
        Assert.Contains(rate.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
    }

    [Fact]
    public void Constructor_ThreeChannels_Throws()
    {
        Assert.Throws<NotSupportedException>(() => new Resampler(8000, 16000, channels: 3));
    }

    [Fact]
    public void Process_OutputTooSmall_ThrowsArgumentException()
    {
        var r = new Resampler(8000, 48000);
        Assert.Throws<ArgumentException>(() => r.Process(new short[160], new short[959]));
    }

    [Fact]
    public void Process_OddLengthStereoInput_ThrowsArgumentException()
    {
        var r = new Resampler(8000, 48000, channels: 2);
        Assert.Throws<ArgumentException>(() => r.Process(new short[161], new short[2000]));
    }

    [Fact]
    public void MaxOutput_TwentyMsFrames_IsExact()
    {
        Assert.Equal(960, Resampler.MaxOutput(8000, 48000, 160));
        Assert.Equal(160, Resampler.MaxOutput(48000, 8000, 960));
        Assert.Equal(480, Resampler.MaxOutput(16000, 24000, 320));
        Assert.Equal(882, Resampler.MaxOutput(48000, 22050, 1920));
    }

    private static short[] Noise(int rate, int seed)
    {
        var rng = new Random(seed);
        var x = new short[rate];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (short)rng.Next(-20000, 20000);
        }

        return x;
    }
}
