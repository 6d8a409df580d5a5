using System.Globalization;
using System.Security.Cryptography;
using ClutchCall.Voice.Sip.Srtp;

namespace ClutchCall.Voice.Sip.Sdp;

/// <summary>
/// One SDES <c>a=crypto</c> line (RFC 4568 §9.1): <c>tag SP crypto-suite SP inline:key||salt[|lifetime]</c>.
/// Lines with an MKI, several keys or session parameters (KDR, UNENCRYPTED_*, ...) are not understood
/// here and are skipped during negotiation (RFC 4568 §6.1, §7.1.1).
/// </summary>
internal sealed record SdesCryptoAttribute(int Tag, SrtpCryptoSuite Suite, byte[] MasterKey, byte[] MasterSalt)
{
    public const string AttributeName = "crypto";

    /// <summary>A fresh random master key and salt (RFC 4568 §6.1: keys from a cryptographically strong source).</summary>
    public static SdesCryptoAttribute Generate(int tag, SrtpCryptoSuite suite) =>
        new(tag, suite, RandomNumberGenerator.GetBytes(SrtpCryptoSuites.MasterKeyLength), RandomNumberGenerator.GetBytes(SrtpCryptoSuites.MasterSaltLength));

    /// <summary>The attribute value, without <c>a=crypto:</c>.</summary>
    public override string ToString()
    {
        Span<byte> keySalt = stackalloc byte[SrtpCryptoSuites.MasterKeyLength + SrtpCryptoSuites.MasterSaltLength];
        MasterKey.CopyTo(keySalt);
        MasterSalt.CopyTo(keySalt[SrtpCryptoSuites.MasterKeyLength..]);
        return string.Create(CultureInfo.InvariantCulture, $"{Tag} {Suite.Name()} inline:{Convert.ToBase64String(keySalt)}");
    }

    /// <summary>A context that protects with (or unprotects by) this key.</summary>
    public SrtpContext CreateContext() => new(Suite, MasterKey, MasterSalt);

    /// <summary>Parses an <c>a=crypto</c> value; false for anything this implementation does not support.</summary>
    public static bool TryParse(string? value, out SdesCryptoAttribute? crypto)
    {
        crypto = null;
        if (value is null || value.Length > 512)
        {
            return false;
        }

        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // RFC 4568 §9.1: tag is 1*9DIGIT; session parameters after the key are not supported.
        if (parts.Length != 3 || parts[0].Length > 9 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var tag)
            || !SrtpCryptoSuites.TryParse(parts[1], out var suite))
        {
            return false;
        }

        var keyParams = parts[2];
        if (keyParams.Contains(';', StringComparison.Ordinal) || !keyParams.StartsWith("inline:", StringComparison.Ordinal))
        {
            return false;
        }

        var info = keyParams["inline:".Length..].Split('|');
        if (info.Length > 2)
        {
            return false; // an MKI (RFC 4568 §6.1) would have to be carried in every packet
        }

        if (info.Length == 2 && !ValidLifetime(info[1]))
        {
            return false;
        }

        Span<byte> keySalt = stackalloc byte[SrtpCryptoSuites.MasterKeyLength + SrtpCryptoSuites.MasterSaltLength + 3];
        if (!Convert.TryFromBase64String(info[0], keySalt, out var written) || written != SrtpCryptoSuites.MasterKeyLength + SrtpCryptoSuites.MasterSaltLength)
        {
            return false;
        }

        crypto = new SdesCryptoAttribute(tag, suite, keySalt[..SrtpCryptoSuites.MasterKeyLength].ToArray(), keySalt[SrtpCryptoSuites.MasterKeyLength..written].ToArray());
        return true;
    }

    /// <summary>RFC 4568 §6.1: lifetime is decimal or <c>2^n</c>; a value below 2^16 packets is refused as too short for a call.</summary>
    private static bool ValidLifetime(string lifetime)
    {
        if (lifetime.StartsWith("2^", StringComparison.Ordinal))
        {
            return int.TryParse(lifetime.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 16 and <= 48;
        }

        return ulong.TryParse(lifetime, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 65536;
    }
}

/// <summary>The keys agreed by SDES offer/answer: ours protect what we send, theirs unprotect what we receive.</summary>
internal sealed record SdesKeys(SdesCryptoAttribute Local, SdesCryptoAttribute Remote);

/// <summary>SDES offer/answer on one audio m= line (RFC 4568 §7.1).</summary>
internal static class SdesNegotiation
{
    /// <summary>
    /// Offers both suites (80-bit tag preferred). RFC 4568 §5: required SRTP uses the RTP/SAVP profile; optional
    /// SRTP keeps RTP/AVP with crypto lines (best-effort SRTP, as carriers' "SRTP optional" modes expect).
    /// </summary>
    public static IReadOnlyList<SdesCryptoAttribute> AddOffer(SdpMedia media, bool required) => AddOffer(media, required, CreateOfferKeys());

    /// <summary>Fresh keys for an offer of both suites, tags 1 (80-bit tag, preferred) and 2 (32-bit tag).</summary>
    public static IReadOnlyList<SdesCryptoAttribute> CreateOfferKeys() =>
    [
        SdesCryptoAttribute.Generate(1, SrtpCryptoSuite.AesCm128HmacSha1_80),
        SdesCryptoAttribute.Generate(2, SrtpCryptoSuite.AesCm128HmacSha1_32),
    ];

    /// <summary>Adds <paramref name="offered"/> to the m= line (kept for the call, so re-offers reuse the keys, RFC 4568 §7.1.4).</summary>
    public static IReadOnlyList<SdesCryptoAttribute> AddOffer(SdpMedia media, bool required, IReadOnlyList<SdesCryptoAttribute> offered)
    {
        if (required)
        {
            media.Protocol = "RTP/SAVP";
        }

        foreach (var c in offered)
        {
            media.Attributes.Add(new(SdesCryptoAttribute.AttributeName, c.ToString()));
        }

        return offered;
    }

    /// <summary>Supported crypto lines of an m= line, in the offerer's order of preference.</summary>
    public static List<SdesCryptoAttribute> Read(SdpMedia media)
    {
        var list = new List<SdesCryptoAttribute>();
        foreach (var a in media.Attributes)
        {
            if (a.Key == SdesCryptoAttribute.AttributeName && SdesCryptoAttribute.TryParse(a.Value, out var c))
            {
                list.Add(c!);
            }
        }

        return list;
    }

    /// <summary>
    /// RFC 4568 §7.1.2: the answerer picks the first acceptable offered line and answers with the same tag and
    /// suite and its own key. Returns false when the offer has no usable crypto line.
    /// </summary>
    public static bool TryAnswer(SdpMedia offer, SdpMedia answer, out SdesKeys? keys)
    {
        keys = null;
        var offered = Read(offer);
        if (offered.Count == 0)
        {
            return false;
        }

        var remote = offered[0];
        var local = SdesCryptoAttribute.Generate(remote.Tag, remote.Suite);
        answer.Protocol = offer.Protocol;
        answer.Attributes.Add(new(SdesCryptoAttribute.AttributeName, local.ToString()));
        keys = new SdesKeys(local, remote);
        return true;
    }

    /// <summary>RFC 4568 §7.1.3: the answer's single crypto line must name an offered tag with the same suite.</summary>
    public static bool TryReadAnswer(SdpMedia answer, IReadOnlyList<SdesCryptoAttribute> offered, out SdesKeys? keys)
    {
        keys = null;
        var answered = Read(answer);
        if (answered.Count != 1)
        {
            return false;
        }

        var remote = answered[0];
        foreach (var o in offered)
        {
            if (o.Tag == remote.Tag && o.Suite == remote.Suite)
            {
                keys = new SdesKeys(o, remote);
                return true;
            }
        }

        return false;
    }
}
