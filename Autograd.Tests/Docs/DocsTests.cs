using System.Text.RegularExpressions;

namespace Autograd.Tests;

public partial class DocsTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Autograd.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Autograd.sln not found above the test directory.");
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    private static List<string> Normalize(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !Regex.IsMatch(l, @"^using [A-Za-z.]+;$")).ToList();

    public static IEnumerable<TestCaseData> Snippets()
    {
        var root = RepositoryRoot();
        var files = new[] { "README.md", "Autograd.Core/README.md", "Autograd.Nn/README.md" }.Select(f => Path.Combine(root, f))
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order());
        foreach (var file in files)
        {
            int i = 0;
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            string name = Path.GetFileName(file) == "README.md" ? relative : Path.GetFileName(file);
            foreach (Match m in CSharpBlock().Matches(File.ReadAllText(file)))
                yield return new TestCaseData(relative, m.Groups[1].Value).SetName($"{name} snippet {++i}");
        }
    }

    [TestCaseSource(nameof(Snippets))]
    public void EverySnippetIsCompiledAndRunByDocSnippets(string file, string snippet)
    {
        var sources = Directory.GetFiles(Path.Combine(RepositoryRoot(), "Autograd.Tests", "Docs"), "DocSnippets*.cs").Order();
        var code = Normalize(string.Join("\n", sources.Select(File.ReadAllText)));
        var lines = Normalize(snippet);
        bool found = Enumerable.Range(0, code.Count - lines.Count + 1).Any(start => lines.Select((l, k) => code[start + k] == l).All(b => b));
        Assert.That(found, Is.True, $"a snippet of {file} is not in any Autograd.Tests/Docs/DocSnippets*.cs verbatim:\n{snippet}");
    }
}
