using ClutchCall.Voice.Relay.Auth;

namespace ClutchCall.Voice.Server.Hosting;

/// <summary>Loads the relay token key from configuration, or from (creating if needed) a file in the data directory.</summary>
internal static class RelayKeyLoader
{
    public const string FileName = "relay-token.key";

    public static RelayTokenKey Load(RelayOptions relay, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(relay.TokenSigningKey))
        {
            return RelayTokenKey.FromBase64(relay.TokenSigningKey);
        }

        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return RelayTokenKey.FromBase64(File.ReadAllText(path));
        }

        var key = RelayTokenKey.CreateRandom();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            writer.Write(key.ToBase64());
        }

        return key;
    }
}
