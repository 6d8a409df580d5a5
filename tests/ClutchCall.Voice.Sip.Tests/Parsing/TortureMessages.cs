using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.Parsing;

/// <summary>Loads the RFC 4475 torture messages in their wire form.</summary>
internal static class TortureMessages
{
    public static string Directory => TestData.Require("sip/rfc4475");

    /// <summary>
    /// The RFC's archive stores most files with bare LF line ends, while their Content-Length values count
    /// CRLF line ends (SIP's line end, RFC 3261 §7). Files holding no CR at all get every LF restored to CRLF;
    /// files already in CRLF form (intmeth, mpart01, whose bodies hold bare LFs) are used byte for byte.
    /// </summary>
    public static byte[] Load(string file)
    {
        var raw = File.ReadAllBytes(Path.Combine(Directory, file));
        if (Array.IndexOf(raw, (byte)'\r') >= 0)
        {
            return raw;
        }

        var output = new List<byte>(raw.Length + 64);
        foreach (var b in raw)
        {
            if (b == (byte)'\n')
            {
                output.Add((byte)'\r');
            }

            output.Add(b);
        }

        return [.. output];
    }
}
