namespace ClutchCall.Voice.Sip.Srtp;

/// <summary>The SRTP key derivation function (RFC 3711 §4.3), with key derivation rate 0 (SDES default, RFC 4568 §6.1).</summary>
internal static class SrtpKeyDerivation
{
    /// <summary>RFC 3711 §4.3.1 labels.</summary>
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    /// <summary>
    /// RFC 3711 §4.3.1: key_id = label || r (r = index DIV kdr, 0 when kdr is 0); x = key_id XOR master_salt,
    /// right-aligned; the session key is the AES-CM keystream of the master key with IV = x * 2^16.
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterKey.Length != SrtpCryptoSuites.MasterKeyLength || masterSalt.Length != SrtpCryptoSuites.MasterSaltLength)
        {
            throw new ArgumentException("SRTP needs a 16-byte master key and a 14-byte master salt");
        }

        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);
        // The label sits 7 bytes from the right of the 112-bit salt; r (48 bits) is zero with kdr 0.
        iv[7] ^= label;
        output.Clear();
        using var ctr = new AesCounterMode(masterKey);
        ctr.Apply(iv, output);
    }
}
