using ClutchCall.Voice.Server.Hosting;

namespace ClutchCall.Voice.Server;

/// <summary>
/// Verbs: <c>serve</c> (default), <c>media-demo</c>, <c>admin …</c>. Anything after the verb that
/// starts with <c>--</c> is configuration (<c>--Storage:Provider=postgres</c>).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        var verb = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "serve";
        var rest = verb == "serve" && args.Length > 0 && args[0] == "serve" ? args[1..] : (verb == "serve" ? args : args[1..]);
        try
        {
            switch (verb)
            {
                case "serve":
                    return await ServeAsync(rest, cts.Token).ConfigureAwait(false);
                case "media-demo":
                    return await MediaDemo.RunAsync(rest, cts.Token).ConfigureAwait(false);
                case "admin":
                    return await AdminCommands.RunAsync(args, Console.Out, Console.Error, cts.Token).ConfigureAwait(false);
                case "help" or "-h" or "--help":
                    await Console.Out.WriteLineAsync("usage: ClutchCall.Voice.Server [serve|media-demo|admin …] [--Key=Value …]\n" + AdminCommands.Usage).ConfigureAwait(false);
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"unknown verb '{verb}'; use serve, media-demo or admin.").ConfigureAwait(false);
                    return 2;
            }
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains(':', StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync("configuration error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> ServeAsync(string[] args, CancellationToken cancellationToken)
    {
        var app = VoiceServer.Build(args);
        await using (app.ConfigureAwait(false))
        {
            var first = await VoiceServer.InitializeAsync(app, bootstrap: true, cancellationToken).ConfigureAwait(false);
            if (first is not null)
            {
                await Console.Out.WriteLineAsync($"""

                    First start on an empty database: created org '{first.Org.Name}' ({first.Org.Id}) and its first API key.
                    This key is shown ONCE; store it now:

                        {first.ApiKey}

                    Create more keys with:  ClutchCall.Voice.Server admin create-key {first.Org.Name} --scopes voice:calls,voice:audio
                    Create more orgs with:  ClutchCall.Voice.Server admin create-org NAME

                    """).ConfigureAwait(false);
            }

            await app.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
    }
}
