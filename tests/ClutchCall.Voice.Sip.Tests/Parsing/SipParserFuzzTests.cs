using System.Buffers;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Tests.Parsing;

public sealed class SipParserFuzzTests
{
    private static readonly byte[][] Specials = [" "u8.ToArray(), "\r\n"u8.ToArray(), ":"u8.ToArray(), ";"u8.ToArray(), "\""u8.ToArray(),
        "<"u8.ToArray(), ">"u8.ToArray(), ","u8.ToArray(), "\r\n "u8.ToArray(), "\\"u8.ToArray(), "%"u8.ToArray(), "@"u8.ToArray(), "="u8.ToArray(),
        "999999999999"u8.ToArray(), "\r\n\r\n"u8.ToArray(), "Content-Length: 5\r\n"u8.ToArray(), "\0"u8.ToArray(), "["u8.ToArray()];

    [Fact]
    public void Parser_RandomAndMutatedTortureMessages_NeverThrow()
    {
        var seeds = Directory.GetFiles(TortureMessages.Directory, "*.dat").Select(f => TortureMessages.Load(Path.GetFileName(f))).ToArray();
        var rng = new Random(4475);
        int parsed = 0, rejected = 0, answered = 0;
        for (var i = 0; i < 60_000; i++)
        {
            var input = i % 10 == 0 ? RandomBytes(rng) : Mutate(seeds[rng.Next(seeds.Length)], rng);
            var ok = SipMessageParser.TryParse(input, out var msg, out var error);
            Assert.Equal(ok, !error.IsError);
            if (ok)
            {
                parsed++;
                Assert.NotNull(msg);
                var w = new ArrayBufferWriter<byte>();
                SipMessageWriter.Write(msg!, w);
            }
            else
            {
                rejected++;
            }

            if (SipRequestValidator.ResponseToInvalid(input, SipUasPolicy.Default, out _, out _) is { } response)
            {
                answered++;
                _ = response.ToArray();
            }

            var seq = new ReadOnlySequence<byte>(input);
            for (var n = 0; n < 4 && SipStreamFramer.TryRead(ref seq, SipParserOptions.Default, out _, out _); n++)
            {
            }
        }

        // The mutations must exercise both outcomes, or the fuzzing proves little.
        Assert.True(parsed > 5_000, $"parsed {parsed}");
        Assert.True(rejected > 5_000, $"rejected {rejected}");
        Assert.True(answered > 1_000, $"answered {answered}");
    }

    private static byte[] RandomBytes(Random rng)
    {
        var b = new byte[rng.Next(0, 400)];
        rng.NextBytes(b);
        return b;
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var data = new List<byte>(seed);
        var edits = rng.Next(1, 4);
        for (var e = 0; e < edits && data.Count > 0; e++)
        {
            var pos = rng.Next(data.Count);
            switch (rng.Next(6))
            {
                case 0:
                    data[pos] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    data.RemoveRange(pos, Math.Min(rng.Next(1, 20), data.Count - pos));
                    break;
                case 2:
                    data.InsertRange(pos, Specials[rng.Next(Specials.Length)]);
                    break;
                case 3:
                    data.RemoveRange(pos, data.Count - pos);
                    break;
                case 4:
                    var len = Math.Min(rng.Next(1, 60), data.Count - pos);
                    data.InsertRange(rng.Next(data.Count), data.GetRange(pos, len));
                    break;
                default:
                    data[pos] = (byte)rng.Next(256);
                    break;
            }
        }

        return [.. data];
    }
}
