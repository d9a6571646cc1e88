import Support
import Testing

/// The one reader of comma-separated command-line lists.
@Suite struct CommaSeparatedTests {
    @Test func readsListsWithSpacesAroundItems() throws {
        #expect(try CommaSeparated.integers("1, 3,5", option: "--layers", example: "1,3") == [1, 3, 5])
        #expect(try CommaSeparated.integers("-2,0", option: "--x", example: "1") == [-2, 0])
        #expect(try CommaSeparated.numbers("0,0.5, 1e-3", option: "--values", example: "0,0.5") == [0, 0.5, 0.001])
    }

    @Test(arguments: [
        ("1,x", 0, "--layers 1,x is not a comma-separated list of non-negative whole numbers: write it like --layers 1,3"),
        ("1,,3", 0, "--layers 1,,3 is not a comma-separated list of non-negative whole numbers: write it like --layers 1,3"),
        ("", 0, "--layers  is not a comma-separated list of non-negative whole numbers: write it like --layers 1,3"),
        ("2,-1", 0, "--layers 2,-1 is not a comma-separated list of non-negative whole numbers: write it like --layers 1,3"),
        ("64,0", 1, "--layers 64,0 is not a comma-separated list of positive whole numbers: write it like --layers 1,3"),
    ])
    func badIntegerListsAreOneLineErrorsNamingTheOption(text: String, minimum: Int, message: String) {
        #expect(throws: InfoPlaneError(message)) {
            try CommaSeparated.integers(text, option: "--layers", example: "1,3", minimum: minimum)
        }
    }

    @Test func numbersThatAreNotNumbersAreRefused() throws {
        #expect(throws: InfoPlaneError.self) { try CommaSeparated.numbers("0,x", option: "--values", example: "0,1") }
        #expect(try CommaSeparated.numbers("0,nan", option: "--values", example: "0,1").last?.isNaN == true)
    }
}
