using ClutchCall.Voice.Speech.Dsp;

namespace ClutchCall.Voice.Speech.Tests.Tts;

public sealed class RationalResamplerTests
{
    [Theory]
    [InlineData(22050, 16000, 1000)]
    [InlineData(22050, 48000, 3000)]
    [InlineData(24000, 16000, 500)]
    public void Process_Sine_KeepsFrequencyAndAmplitude(int inRate, int outRate, double hz)
    {
        var input = Enumerable.Range(0, inRate).Select(i => (short)(10000 * Math.Sin(2 * Math.PI * hz * i / inRate))).ToArray();
        var r = new RationalResampler(inRate, outRate);
        var output = new List<short>();
        var buffer = new short[r.MaxOutput(333)];
        for (var i = 0; i < input.Length; i += 333) // odd chunking: state must carry across chunks
        {
            var n = r.Process(input.AsSpan(i, Math.Min(333, input.Length - i)), buffer);
            output.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        Assert.InRange(output.Count, outRate - 2, outRate + 2);

        // Least-squares fit of a sine at the expected frequency over the steady middle; what the fit
        // does not explain is distortion, aliasing or a wrong rate.
        double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
        var lo = outRate / 10;
        var hi = outRate * 9 / 10;
        for (var i = lo; i < hi; i++)
        {
            var w = 2 * Math.PI * hz * i / outRate;
            ss += Math.Sin(w) * Math.Sin(w);
            sc += Math.Sin(w) * Math.Cos(w);
            cc += Math.Cos(w) * Math.Cos(w);
            ys += output[i] * Math.Sin(w);
            yc += output[i] * Math.Cos(w);
        }

        var det = (ss * cc) - (sc * sc);
        var a = ((ys * cc) - (yc * sc)) / det;
        var b = ((yc * ss) - (ys * sc)) / det;
        double err = 0, power = 0;
        for (var i = lo; i < hi; i++)
        {
            var w = 2 * Math.PI * hz * i / outRate;
            var fit = (a * Math.Sin(w)) + (b * Math.Cos(w));
            err += (output[i] - fit) * (output[i] - fit);
            power += fit * fit;
        }

        Assert.InRange(Math.Sqrt((a * a) + (b * b)), 9800, 10200);
        var snr = 10 * Math.Log10(power / err);
        Assert.True(snr > 40, $"SNR {snr:F1} dB");
    }

    [Fact]
    public void Process_ToneAboveOutputNyquist_Attenuated()
    {
        const int inRate = 22050;
        var input = Enumerable.Range(0, inRate).Select(i => (short)(10000 * Math.Sin(2 * Math.PI * 10000 * i / inRate))).ToArray();
        var r = new RationalResampler(inRate, 16000);
        var buffer = new short[r.MaxOutput(input.Length)];
        var n = r.Process(input, buffer);
        var rms = Math.Sqrt(buffer.AsSpan(1000, n - 2000).ToArray().Select(s => (double)s * s).Average());
        Assert.True(20 * Math.Log10(rms / 7071) < -40, $"alias level {20 * Math.Log10(rms / 7071):F1} dB");
    }
}
