namespace ClutchCall.Voice.Sip.Srtp;

/// <summary>The SDES crypto suites of RFC 4568 §6.2 we speak (AES-128 counter mode with HMAC-SHA1).</summary>
internal enum SrtpCryptoSuite
{
    /// <summary>RFC 4568 §6.2.1: 80-bit SRTP and SRTCP authentication tags.</summary>
    AesCm128HmacSha1_80,

    /// <summary>RFC 4568 §6.2.2: 32-bit SRTP tag; SRTCP keeps the 80-bit tag.</summary>
    AesCm128HmacSha1_32,
}

/// <summary>Constants and names of <see cref="SrtpCryptoSuite"/>.</summary>
internal static class SrtpCryptoSuites
{
    /// <summary>RFC 3711 §8.2: 128-bit master key.</summary>
    public const int MasterKeyLength = 16;

    /// <summary>RFC 3711 §8.2: 112-bit master salt.</summary>
    public const int MasterSaltLength = 14;

    /// <summary>RFC 3711 §4.2: the HMAC-SHA1 session authentication key is 160 bits.</summary>
    public const int AuthKeyLength = 20;

    /// <summary>RFC 4568 §6.2: SRTCP always carries an 80-bit tag for both suites.</summary>
    public const int RtcpTagLength = 10;

    /// <summary>RFC 3711 §3.4: the E flag and the 31-bit SRTCP index.</summary>
    public const int RtcpIndexLength = 4;

    /// <summary>Bytes SRTP adds to an RTP packet (the authentication tag).</summary>
    public static int RtpTagLength(this SrtpCryptoSuite suite) => suite == SrtpCryptoSuite.AesCm128HmacSha1_32 ? 4 : 10;

    /// <summary>The RFC 4568 §6.2 name written in <c>a=crypto</c>.</summary>
    public static string Name(this SrtpCryptoSuite suite) => suite == SrtpCryptoSuite.AesCm128HmacSha1_32 ? "AES_CM_128_HMAC_SHA1_32" : "AES_CM_128_HMAC_SHA1_80";

    public static bool TryParse(ReadOnlySpan<char> name, out SrtpCryptoSuite suite)
    {
        suite = SrtpCryptoSuite.AesCm128HmacSha1_80;
        if (name.Equals("AES_CM_128_HMAC_SHA1_80", StringComparison.Ordinal))
        {
            return true;
        }

        suite = SrtpCryptoSuite.AesCm128HmacSha1_32;
        return name.Equals("AES_CM_128_HMAC_SHA1_32", StringComparison.Ordinal);
    }
}
