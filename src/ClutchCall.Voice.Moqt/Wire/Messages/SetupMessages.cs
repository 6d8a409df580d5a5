namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>CLIENT_SETUP (draft-ietf-moq-transport-14 §9.3): offered versions and setup parameters.</summary>
internal sealed record ClientSetupMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.ClientSetup;

    public required IReadOnlyList<MoqtVersion> SupportedVersions { get; init; }

    /// <summary>Setup-space parameters (<see cref="MoqtSetupParameterKey"/>).</summary>
    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>SERVER_SETUP (draft-ietf-moq-transport-14 §9.3): the chosen version and setup parameters.</summary>
internal sealed record ServerSetupMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.ServerSetup;

    public required MoqtVersion SelectedVersion { get; init; }

    /// <summary>Setup-space parameters (<see cref="MoqtSetupParameterKey"/>).</summary>
    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}
