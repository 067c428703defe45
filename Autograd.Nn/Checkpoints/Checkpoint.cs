namespace Autograd.Nn.Checkpoints;

/// <summary>
/// Saves and restores a <see cref="Module"/>'s parameters and buffers as a safetensors file (see
/// <see cref="SafeTensors"/>). Tensor names are the module's dotted state-dictionary names (<c>0.weight</c>,
/// <c>layers.1.bias</c>), the same as PyTorch's <c>state_dict()</c> for the same architecture, so weights move both
/// ways with <c>safetensors.torch.save_file(model.state_dict(), path)</c> and
/// <c>model.load_state_dict(safetensors.torch.load_file(path))</c>.
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// Writes <paramref name="module"/>'s <see cref="Module.StateDict"/> to <paramref name="path"/>, atomically. The
    /// metadata gets <c>"format": "pt"</c> (as Hugging Face's PyTorch checkpoints carry) unless
    /// <paramref name="metadata"/> sets "format" itself.
    /// </summary>
    /// <param name="module">The module whose parameters and buffers are saved.</param>
    /// <param name="path">The file to write; replaced if it exists.</param>
    /// <param name="metadata">Extra string-to-string metadata stored in the header, or null.</param>
    /// <exception cref="IOException">Writing failed; an existing file at <paramref name="path"/> is unchanged.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or a name or metadata entry cannot be stored (as <see cref="SafeTensors"/>.Save refuses).</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    public static void Save(Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null)
            foreach (var (key, value) in metadata) meta[key] = value;
        SafeTensors.Save(path, module.StateDict(), meta);
    }

    /// <summary>
    /// Reads the safetensors file at <paramref name="path"/> and copies its tensors into <paramref name="module"/>
    /// with <see cref="Module.LoadStateDict"/>. The file is validated completely and the names, shapes and dtypes are
    /// checked against the module before anything is copied: on any problem the module is left unchanged.
    /// </summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="strict">Whether missing and unexpected names are errors (as PyTorch's <c>strict</c>).</param>
    /// <returns>The file's metadata.</returns>
    /// <exception cref="InvalidDataException">The file is malformed or truncated.</exception>
    /// <exception cref="ArgumentException">The tensors do not fit the module (names, shapes, dtypes); the message names the file.</exception>
    /// <exception cref="InvalidOperationException">A parameter or buffer of the module cannot be written in place (a broadcast view, or released).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    public static Dictionary<string, string> Load(Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var (tensors, metadata) = SafeTensors.Load(path);
        try
        {
            module.LoadStateDict(tensors, strict);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Checkpoint.Load: '{path}' does not fit {module.GetType().Name}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Checkpoint.Load: cannot load '{path}' into {module.GetType().Name}: {e.Message}", e);
        }
        return metadata;
    }
}
