using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Storage;

namespace ClutchCall.Voice.Server.Hosting;

/// <summary><c>admin create-org NAME</c>, <c>admin create-key ORG --scopes …</c>, <c>admin list-keys ORG</c>.</summary>
internal static class AdminCommands
{
    public const string Usage = """
        usage:
          ClutchCall.Voice.Server admin create-org NAME
          ClutchCall.Voice.Server admin create-key ORG [--scopes voice:*]   (ORG is an org id or name; scopes comma-separated:
                                                                             voice:calls, voice:audio, voice:agents, voice:*)
          ClutchCall.Voice.Server admin list-keys ORG
          ClutchCall.Voice.Server admin revoke-key ORG KEY_ID
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // args[0] == "admin"; everything after the command's positional arguments is configuration.
        if (args.Length < 2)
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        var command = args[1];
        var positional = args.Skip(2).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var rest = args.Skip(2 + positional.Length).ToArray();
        var scopesText = Scopes.All;
        var configArgs = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == "--scopes" && i + 1 < rest.Length)
            {
                scopesText = rest[++i];
            }
            else
            {
                configArgs.Add(rest[i]);
            }
        }

        var app = VoiceServer.Build([.. configArgs]);
        await using (app.ConfigureAwait(false))
        {
            await VoiceServer.InitializeAsync(app, bootstrap: false, cancellationToken).ConfigureAwait(false);
            var orgs = app.Services.GetRequiredService<IOrgStore>();
            switch (command)
            {
                case "create-org" when positional.Length == 1:
                    {
                        if (await orgs.FindOrgAsync(positional[0], cancellationToken).ConfigureAwait(false) is not null)
                        {
                            await error.WriteLineAsync($"error: an org named '{positional[0]}' already exists.").ConfigureAwait(false);
                            return 1;
                        }

                        var org = await orgs.CreateOrgAsync(positional[0], cancellationToken).ConfigureAwait(false);
                        await output.WriteLineAsync($"created org {org.Id} ({org.Name})").ConfigureAwait(false);
                        await output.WriteLineAsync($"create a key with: ClutchCall.Voice.Server admin create-key {org.Name} --scopes voice:*").ConfigureAwait(false);
                        return 0;
                    }

                case "create-key" when positional.Length == 1:
                    {
                        var org = await orgs.FindOrgAsync(positional[0], cancellationToken).ConfigureAwait(false);
                        if (org is null)
                        {
                            await error.WriteLineAsync($"error: no org with id or name '{positional[0]}'.").ConfigureAwait(false);
                            return 1;
                        }

                        var scopes = Scopes.TryParse(scopesText, out var scopeError);
                        if (scopes is null)
                        {
                            await error.WriteLineAsync("error: " + scopeError).ConfigureAwait(false);
                            return 1;
                        }

                        var (key, record) = await app.Services.GetRequiredService<ApiKeys>().CreateAsync(org.Id, scopes, cancellationToken).ConfigureAwait(false);
                        await output.WriteLineAsync($"created key {record.KeyId} for org {org.Id} ({org.Name}) with scopes {string.Join(",", scopes)}").ConfigureAwait(false);
                        await output.WriteLineAsync("API key (shown once, store it now):").ConfigureAwait(false);
                        await output.WriteLineAsync(key).ConfigureAwait(false);
                        return 0;
                    }

                case "list-keys" when positional.Length == 1:
                    {
                        var org = await orgs.FindOrgAsync(positional[0], cancellationToken).ConfigureAwait(false);
                        if (org is null)
                        {
                            await error.WriteLineAsync($"error: no org with id or name '{positional[0]}'.").ConfigureAwait(false);
                            return 1;
                        }

                        await output.WriteLineAsync($"keys of org {org.Id} ({org.Name}):").ConfigureAwait(false);
                        foreach (var k in await orgs.ListKeysAsync(org.Id, cancellationToken).ConfigureAwait(false))
                        {
                            var state = k.RevokedAt is { } r ? "revoked " + r.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "active";
                            await output.WriteLineAsync($"  {k.KeyId}…  {string.Join(",", k.Scopes),-40} created {k.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}  {state}").ConfigureAwait(false);
                        }

                        return 0;
                    }

                case "revoke-key" when positional.Length == 2:
                    {
                        var org = await orgs.FindOrgAsync(positional[0], cancellationToken).ConfigureAwait(false);
                        if (org is null || !await orgs.RevokeKeyAsync(org.Id, positional[1], app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken).ConfigureAwait(false))
                        {
                            await error.WriteLineAsync($"error: no active key '{positional[1]}' in org '{positional[0]}'.").ConfigureAwait(false);
                            return 1;
                        }

                        await output.WriteLineAsync($"revoked key {positional[1]}").ConfigureAwait(false);
                        return 0;
                    }

                default:
                    await error.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 2;
            }
        }
    }
}
