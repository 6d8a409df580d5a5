namespace ClutchCall.Voice.Server.Hosting;

/// <summary>Top-level settings (configuration root). See docs/configuration.md.</summary>
internal sealed class ServerOptions
{
    /// <summary>Where the SQLite database and the generated relay key live.</summary>
    public string DataDirectory { get; set; } = "./data";

    public StorageOptions Storage { get; set; } = new();

    public HttpOptions Http { get; set; } = new();

    public BootstrapOptions Bootstrap { get; set; } = new();
}

/// <summary>Configuration section <c>Storage</c>.</summary>
internal sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>SQLite file; relative paths are under <see cref="ServerOptions.DataDirectory"/>.</summary>
    public string SqlitePath { get; set; } = "clutchcall.db";

    /// <summary>Npgsql connection string, required for <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>Configuration section <c>Http</c>.</summary>
internal sealed class HttpOptions
{
    /// <summary>Plain-HTTP listen URL; empty disables it.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8080";

    /// <summary>HTTPS listen URL, used only when <see cref="CertificatePath"/> is set.</summary>
    public string HttpsUrl { get; set; } = "https://0.0.0.0:8443";

    /// <summary>PFX/PKCS#12 or PEM certificate file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file (PEM certificates only).</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>PFX password, if any.</summary>
    public string? CertificatePassword { get; set; }
}

/// <summary>Configuration section <c>Bootstrap</c>: what an empty database gets on first start.</summary>
internal sealed class BootstrapOptions
{
    /// <summary>Create a default org and print its first API key when the database has no org.</summary>
    public bool Enabled { get; set; } = true;

    public string DefaultOrgName { get; set; } = "default";
}

/// <summary>Configuration section <c>Relay</c>: where clients reach the audio relay and how its tokens are signed.</summary>
internal sealed class RelayOptions
{
    /// <summary>Relay host name handed to clients.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Relay URLs handed to clients (WebTransport first, then raw QUIC), e.g. https://relay.example.com:4443/moq.</summary>
    public string[] Urls { get; set; } = [];

    /// <summary>Base64 HS256 key (≥ 32 bytes) shared with every relay node; generated into the data directory when empty.</summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>Lifetime of audio tokens.</summary>
    public TimeSpan TokenTtl { get; set; } = TimeSpan.FromMinutes(5);
}
