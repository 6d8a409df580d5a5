using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Agents;
using ClutchCall.Voice.Server.Api;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Calls.Simulated;
using ClutchCall.Voice.Server.Relay;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Server.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Hosting;

/// <summary>
/// Builds the server: configuration (appsettings.json, then <c>CLUTCHCALL_</c> environment
/// variables, then the command line), storage, call engine, webhooks, auth and the /v1 API.
/// Tests build it the same way with their own configuration and services.
/// </summary>
internal static class VoiceServer
{
    public const string EnvironmentPrefix = "CLUTCHCALL_";

    /// <summary>Creates the application. <paramref name="configure"/> may add settings or replace services (tests).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args);
        configure?.Invoke(builder);

        var config = builder.Configuration;
        var server = config.Get<ServerOptions>() ?? new ServerOptions();
        builder.Services.Configure<ServerOptions>(config);
        builder.Services.Configure<RelayOptions>(config.GetSection("Relay"));
        builder.Services.Configure<WebhookOptions>(config.GetSection("Webhooks"));
        builder.Services.Configure<SimulatedLineOptions>(config.GetSection("TestLine"));

        ConfigureListeners(builder, server.Http);

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SqlDatabase>(_ => CreateDatabase(server));
        services.AddSingleton<ICallStore, SqlCallStore>();
        services.AddSingleton<IOrgStore, SqlOrgStore>();
        services.AddSingleton<IWebhookStore, SqlWebhookStore>();
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<WebhookSignal>();
        services.AddHostedService<WebhookWorker>();
        services.AddVoiceRelay(config);
        services.TryAddSingleton<ISimulatedCallee, SilentSimulatedCallee>();
        services.AddVoiceAgents(config);
        services.TryAddSingleton<IAgentAttacher, UnwiredAgentAttacher>();
        services.AddSingleton<ICallDialer, SimulatedDialer>();
        services.AddSipTrunks(config);
        services.AddSingleton<CallService>();
        services.AddSingleton(sp => RelayKeyLoader.Load(sp.GetRequiredService<IOptions<RelayOptions>>().Value, server.DataDirectory));
        services.AddSingleton(sp => new RelayTokenIssuer(sp.GetRequiredService<RelayTokenKey>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RelayTokenValidator(sp.GetRequiredService<RelayTokenKey>()));
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "ClutchCall Voice API";
            doc.Info.Version = "v1";
            doc.Info.Description = "Control plane for ClutchCall Voice: calls, audio tokens, agents and webhooks. Authenticate with 'Authorization: Bearer <api key>'.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(context =>
            Problems.Write(context, StatusCodes.Status500InternalServerError, "Internal error", "The server failed to handle this request; it has been logged.")));
        app.UseStatusCodePages(context =>
        {
            var response = context.HttpContext.Response;
            return response.HasStarted || response.ContentLength is > 0 || response.ContentType is not null
                ? Task.CompletedTask
                : Problems.Write(context.HttpContext, response.StatusCode, ReasonFor(response.StatusCode), $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path} is not part of this API.");
        });
        app.UseMiddleware<ApiKeyAuthMiddleware>();
        app.UseWebSockets();
        RelayEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        CallEndpoints.Map(app);
        TurnEndpoints.Map(app);
        SipEndpoints.Map(app);
        WebhookEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// Prepares storage before serving: applies migrations, fails calls a previous process left
    /// unfinished, and on an empty database creates the default org with a first key (returned once).
    /// </summary>
    public static async Task<FirstRun?> InitializeAsync(WebApplication app, bool bootstrap, CancellationToken cancellationToken)
    {
        var services = app.Services;
        var db = services.GetRequiredService<SqlDatabase>();
        await Migrations.ApplyAsync(db, services.GetRequiredService<TimeProvider>(), cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<CallService>().RecoverAsync(cancellationToken).ConfigureAwait(false);

        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value.Bootstrap;
        if (!bootstrap || !options.Enabled)
        {
            return null;
        }

        var orgs = services.GetRequiredService<IOrgStore>();
        if (await orgs.CountOrgsAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return null;
        }

        var org = await orgs.CreateOrgAsync(options.DefaultOrgName, cancellationToken).ConfigureAwait(false);
        var (key, _) = await services.GetRequiredService<ApiKeys>().CreateAsync(org.Id, [Scopes.All], cancellationToken).ConfigureAwait(false);
        return new FirstRun(org, key);
    }

    private static SqlDatabase CreateDatabase(ServerOptions server)
    {
        switch (server.Storage.Provider.ToLowerInvariant())
        {
            case "sqlite":
                return new SqliteDatabase(Path.Combine(server.DataDirectory, server.Storage.SqlitePath));
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(server.Storage.ConnectionString))
                {
                    throw new InvalidOperationException("Storage:Provider is 'postgres' but Storage:ConnectionString is empty (set CLUTCHCALL_Storage__ConnectionString).");
                }

                return new PostgresDatabase(server.Storage.ConnectionString);
            default:
                throw new InvalidOperationException($"Storage:Provider must be 'sqlite' or 'postgres'; got '{server.Storage.Provider}'.");
        }
    }

    private static void ConfigureListeners(WebApplicationBuilder builder, HttpOptions http)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            return; // An explicit --urls / ASPNETCORE_URLS wins.
        }

        var urls = new List<string>();
        if (!string.IsNullOrEmpty(http.Url))
        {
            urls.Add(http.Url);
        }

        if (!string.IsNullOrEmpty(http.CertificatePath))
        {
            var certificate = LoadCertificate(http);
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(o => o.ServerCertificate = certificate));
            urls.Add(http.HttpsUrl);
        }

        if (urls.Count == 0)
        {
            throw new InvalidOperationException("No listener: Http:Url is empty and no Http:CertificatePath is configured.");
        }

        builder.WebHost.UseUrls([.. urls]);
    }

    private static X509Certificate2 LoadCertificate(HttpOptions http)
    {
        var path = http.CertificatePath!;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Http:CertificatePath '{path}' does not exist.");
        }

        return path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)
            ? X509Certificate2.CreateFromPemFile(path, http.CertificateKeyPath)
            : X509CertificateLoader.LoadPkcs12FromFile(path, http.CertificatePassword);
    }

    private static string ReasonFor(int status) => status switch
    {
        404 => "Not found",
        405 => "Method not allowed",
        _ => "Error",
    };
}

/// <summary>What a first start on an empty database created.</summary>
internal sealed record FirstRun(OrgRecord Org, string ApiKey);
